import type { ServiceEntry } from '../types.js';

export const headscale: ServiceEntry = {
  id: 'headscale',
  description: 'Headscale: the VPN coordination server of the mesh (hub only)',
  placement: { kind: 'compose', file: 'infra' },
  image: { repository: 'headscale/headscale', tag: '0.26.1' },
  roles: ['vpn-hub'],
  dependsOn: ['docker', 'caddy'],
  networks: ['frontend'],
  ports: [{ container: 8080, protocol: 'tcp' }, { container: 3478, protocol: 'udp', published: 3478 }],
  dataDirs: [{ path: 'headscale', target: '/var/lib/headscale', uid: 0, gid: 0, mode: '0700' }],
  health: { test: ['CMD', 'headscale', 'health'], intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 20 },
  healthTimeoutSeconds: 60,
  smoke: [{ id: 'headscale.health', kind: 'http', path: '/health', expectStatus: [200], via: 'site' }],
  secrets: [],
  memoryLimit: '256M',
  site: { defaultSubdomain: 'vpn', upstreamPort: 8080, vpnOnlyDefault: false },
};
