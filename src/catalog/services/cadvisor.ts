import type { ServiceEntry } from '../types.js';

export const cadvisor: ServiceEntry = {
  id: 'cadvisor',
  description: 'cAdvisor container metrics',
  placement: { kind: 'compose', file: 'apps' },
  // cAdvisor tags have no `v` prefix (L-B1).
  image: { repository: 'ghcr.io/google/cadvisor', tag: '0.55.1' },
  roles: ['ai-server', 'app-server', 'vpn-hub', 'workstation'],
  dependsOn: ['docker'],
  networks: ['monitoring'],
  ports: [{ container: 8080, protocol: 'tcp' }],
  dataDirs: [],
  health: { test: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:8080/healthz'], intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 20 },
  healthTimeoutSeconds: 60,
  smoke: [],
  secrets: [],
  memoryLimit: '256M',
};
