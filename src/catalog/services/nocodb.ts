import type { ServiceEntry } from '../types.js';

export const nocodb: ServiceEntry = {
  id: 'nocodb',
  description: 'NocoDB: spreadsheet UI over PostgreSQL',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'nocodb/nocodb', tag: '0.301.2' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker', 'caddy', 'postgresql'],
  networks: ['backend', 'frontend'],
  ports: [{ container: 8080, protocol: 'tcp' }],
  dataDirs: [{ path: 'nocodb', target: '/usr/app/data', uid: 1000, gid: 1000, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:8080/api/v1/health'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 60 },
  healthTimeoutSeconds: 120,
  smoke: [
    { id: 'nocodb.health', kind: 'http', path: '/api/v1/health', expectStatus: [200], via: 'site' },
    { id: 'nocodb.db-login', kind: 'db-login', database: 'nocodb' },
  ],
  secrets: [
    { key: 'nocodb.jwtSecret', description: 'signs NocoDB sessions', generate: { length: 64, alphabet: 'hex' } },
    { key: 'nocodb.dbPassword', description: 'password of the nocodb PostgreSQL user', generate: { length: 32, alphabet: 'alnum' } },
  ],
  memoryLimit: '384M',
  site: { defaultSubdomain: 'hq', upstreamPort: 8080, vpnOnlyDefault: true },
  database: { name: 'nocodb', user: 'nocodb', extensions: [] },
};
