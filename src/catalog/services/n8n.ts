import type { ServiceEntry } from '../types.js';

export const n8n: ServiceEntry = {
  id: 'n8n',
  description: 'n8n workflow automation',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'docker.n8n.io/n8nio/n8n', tag: '2.7.3' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker', 'caddy', 'postgresql', 'redis'],
  networks: ['backend', 'egress'],
  ports: [{ container: 5678, protocol: 'tcp' }],
  dataDirs: [{ path: 'n8n', target: '/home/node/.n8n', uid: 1000, gid: 1000, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:5678/healthz'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 120 },
  healthTimeoutSeconds: 180,
  smoke: [
    { id: 'n8n.healthz', kind: 'http', path: '/healthz', expectStatus: [200], via: 'site' },
    { id: 'n8n.db-login', kind: 'db-login', database: 'n8n' },
    { id: 'n8n.owner-login', kind: 'n8n-owner-login' },
  ],
  secrets: [
    { key: 'n8n.encryptionKey', description: 'encrypts every n8n credential; changing it loses them all', generate: { length: 64, alphabet: 'hex' }, immutable: true },
    { key: 'n8n.dbPassword', description: 'password of the n8n PostgreSQL user', generate: { length: 32, alphabet: 'alnum' } },
    // n8n 2.7's password rules (@n8n/api-types passwordSchema): 8 to 64 characters, a digit and an upper-case letter.
    { key: 'n8n.ownerPassword', description: 'password of the n8n owner account', generate: { length: 24, alphabet: 'alnum', mustHave: ['digit', 'upper', 'lower'] }, shape: { pattern: '^(?=.*[0-9])(?=.*[A-Z]).{8,64}$', example: 'Lovelace-1815' } },
  ],
  memoryLimit: '1024M',
  site: { defaultSubdomain: 'n8n', upstreamPort: 5678, vpnOnlyDefault: true },
  database: { name: 'n8n', user: 'n8n', extensions: ['uuid-ossp'] },
};
