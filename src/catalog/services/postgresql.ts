import type { ServiceEntry } from '../types.js';

export const postgresql: ServiceEntry = {
  id: 'postgresql',
  description: 'PostgreSQL; one database and one user with its own password per app',
  placement: { kind: 'compose', file: 'infra' },
  image: { repository: 'postgres', tag: '18.1-bookworm' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker'],
  networks: ['backend'],
  ports: [{ container: 5432, protocol: 'tcp' }],
  dataDirs: [{ path: 'postgresql', target: '/var/lib/postgresql', uid: 999, gid: 999, mode: '0700' }],
  health: { test: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -U postgres'], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 120 },
  healthTimeoutSeconds: 120,
  smoke: [{ id: 'postgresql.ready', kind: 'command', argv: ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres'], expect: 'accepting connections' }],
  secrets: [
    { key: 'postgresql.superuserPassword', description: 'password of the postgres superuser', generate: { length: 32, alphabet: 'alnum' } },
  ],
  memoryLimit: '1536M',
  capAdd: ['CHOWN', 'SETGID', 'SETUID', 'DAC_OVERRIDE', 'FOWNER'],
};
