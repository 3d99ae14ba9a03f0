import type { ServiceEntry } from '../types.js';

export const redis: ServiceEntry = {
  id: 'redis',
  description: 'Redis cache and queue (password via ACL, no rename-command: removed in Redis 8)',
  placement: { kind: 'compose', file: 'infra' },
  image: { repository: 'redis', tag: '8.0-bookworm' },
  roles: ['ai-server', 'app-server'],
  dependsOn: ['docker'],
  networks: ['backend'],
  ports: [{ container: 6379, protocol: 'tcp' }],
  dataDirs: [{ path: 'redis', target: '/data', uid: 999, gid: 999, mode: '0700' }],
  // The password reaches redis-cli through REDISCLI_AUTH from the 0600 env file, not the compose file.
  health: { test: ['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 30 },
  healthTimeoutSeconds: 30,
  smoke: [{ id: 'redis.ping', kind: 'command', argv: ['redis-cli', '-h', '127.0.0.1', 'ping'], expect: 'PONG' }],
  secrets: [{ key: 'redis.password', description: 'password of the default Redis user', generate: { length: 32, alphabet: 'alnum' } }],
  memoryLimit: '768M',
  capAdd: ['CHOWN', 'SETGID', 'SETUID'],
};
