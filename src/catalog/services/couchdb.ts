import type { ServiceEntry } from '../types.js';

export const couchdb: ServiceEntry = {
  id: 'couchdb',
  description: 'CouchDB for Obsidian LiveSync',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'apache/couchdb', tag: '3.3.3' },
  roles: ['vpn-hub', 'app-server'],
  dependsOn: ['docker', 'caddy'],
  networks: ['frontend'],
  ports: [{ container: 5984, protocol: 'tcp' }],
  dataDirs: [{ path: 'couchdb', target: '/opt/couchdb/data', uid: 5984, gid: 5984, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'curl -fsS http://127.0.0.1:5984/_up'], intervalSeconds: 30, timeoutSeconds: 10, retries: 5, startPeriodSeconds: 30 },
  healthTimeoutSeconds: 60,
  smoke: [{ id: 'couchdb.up', kind: 'http', path: '/_up', expectStatus: [200], via: 'site' }],
  secrets: [{ key: 'couchdb.adminPassword', description: 'password of the CouchDB admin', generate: { length: 32, alphabet: 'alnum' } }],
  memoryLimit: '512M',
  site: { defaultSubdomain: 'notes', upstreamPort: 5984, vpnOnlyDefault: false },
};
