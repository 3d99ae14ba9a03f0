import type { ServiceEntry } from '../types.js';

export const alloy: ServiceEntry = {
  id: 'alloy',
  description: 'Grafana Alloy: host metrics and container logs to VictoriaMetrics and Loki',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'grafana/alloy', tag: 'v1.13.0' },
  roles: ['ai-server', 'app-server', 'vpn-hub', 'workstation'],
  dependsOn: ['docker'],
  networks: ['backend', 'monitoring'],
  ports: [{ container: 12345, protocol: 'tcp' }],
  dataDirs: [{ path: 'alloy', target: '/var/lib/alloy/data', uid: 0, gid: 0, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'kill -0 1'], intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 20 },
  healthTimeoutSeconds: 30,
  smoke: [],
  secrets: [],
  memoryLimit: '256M',
  capAdd: ['SYS_PTRACE', 'DAC_READ_SEARCH'],
};
