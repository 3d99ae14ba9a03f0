import type { ServiceEntry } from '../types.js';

export const diun: ServiceEntry = {
  id: 'diun',
  description: 'Diun: notifies when a pinned image has a newer release',
  placement: { kind: 'compose', file: 'apps' },
  image: { repository: 'crazymax/diun', tag: '4.31.0' },
  roles: ['ai-server', 'app-server', 'vpn-hub', 'workstation'],
  dependsOn: ['docker'],
  networks: ['egress'],
  ports: [],
  dataDirs: [{ path: 'diun', target: '/data', uid: 0, gid: 0, mode: '0750' }],
  health: { test: ['CMD-SHELL', 'kill -0 1'], intervalSeconds: 60, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 20 },
  healthTimeoutSeconds: 30,
  smoke: [],
  secrets: [],
  memoryLimit: '128M',
};
