import type { ServiceEntry } from '../types.js';

export const grafana: ServiceEntry = {
  id: 'grafana',
  description: 'Grafana dashboards and alerting',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'grafana/grafana', tag: '12.3.2' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker', 'caddy', 'victoriametrics'],
  networks: ['frontend', 'monitoring', 'backend'],
  ports: [{ container: 3000, protocol: 'tcp' }],
  dataDirs: [{ path: 'grafana', target: '/var/lib/grafana', uid: 472, gid: 472, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:3000/api/health'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 30 },
  healthTimeoutSeconds: 60,
  smoke: [{ id: 'grafana.health', kind: 'http', path: '/api/health', expectStatus: [200], via: 'site' }],
  secrets: [{ key: 'grafana.adminPassword', description: 'password of the Grafana admin user', generate: { length: 24, alphabet: 'alnum' } }],
  memoryLimit: '384M',
  site: { defaultSubdomain: 'grafana', upstreamPort: 3000, vpnOnlyDefault: true },
};
