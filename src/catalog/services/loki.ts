import type { ServiceEntry } from '../types.js';

export const loki: ServiceEntry = {
  id: 'loki',
  description: 'Loki log store (14 days, monolithic mode)',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'grafana/loki', tag: '3.6.5' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker'],
  networks: ['monitoring'],
  ports: [{ container: 3100, protocol: 'tcp' }],
  dataDirs: [{ path: 'loki', target: '/loki', uid: 10001, gid: 10001, mode: '0750' }],
  // Distroless image: no shell, no wget (L-B2).
  health: { test: ['CMD', '/usr/bin/loki', '-health'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 30 },
  healthTimeoutSeconds: 60,
  smoke: [{ id: 'loki.ready', kind: 'http', path: '/ready', expectStatus: [200], via: 'container' }],
  secrets: [],
  memoryLimit: '384M',
};
