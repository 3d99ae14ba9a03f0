import type { ServiceEntry } from '../types.js';

export const victoriametrics: ServiceEntry = {
  id: 'victoriametrics',
  description: 'VictoriaMetrics time-series store (30 days)',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'victoriametrics/victoria-metrics', tag: 'v1.135.0' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker'],
  networks: ['monitoring'],
  ports: [{ container: 8428, protocol: 'tcp' }],
  dataDirs: [{ path: 'victoriametrics', target: '/victoria-metrics-data', uid: 1000, gid: 1000, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'wget -q --spider http://127.0.0.1:8428/-/healthy'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 20 },
  healthTimeoutSeconds: 60,
  smoke: [{ id: 'victoriametrics.healthy', kind: 'http', path: '/-/healthy', expectStatus: [200], via: 'container' }],
  secrets: [],
  memoryLimit: '512M',
};
