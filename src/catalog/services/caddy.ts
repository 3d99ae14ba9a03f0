import type { ServiceEntry } from '../types.js';

export const caddy: ServiceEntry = {
  id: 'caddy',
  description: 'Reverse proxy with automatic HTTPS; one site per service, VPN-only ACLs',
  placement: { kind: 'compose', file: 'infra' },
  image: { repository: 'caddy', tag: '2.10.2-alpine' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: ['docker'],
  networks: ['frontend', 'backend'],
  ports: [
    { container: 80, protocol: 'tcp', published: 80 },
    { container: 443, protocol: 'tcp', published: 443 },
    { container: 443, protocol: 'udp', published: 443 },
  ],
  dataDirs: [
    { path: 'caddy/data', target: '/data', uid: 0, gid: 0, mode: '0700' },
    { path: 'caddy/config', target: '/config', uid: 0, gid: 0, mode: '0700' },
    // DNS-01 (domain.tls: acme-dns-ovh): the certificates lego obtained on the host, and the `tls` line naming them.
    { path: 'caddy/certs', target: '/certs', uid: 0, gid: 0, mode: '0700' },
  ],
  // `caddy version` rather than an HTTP probe: a localhost URL matches no site block (L-C7).
  health: { test: ['CMD', 'caddy', 'version'], intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 },
  healthTimeoutSeconds: 30,
  smoke: [{ id: 'caddy.health', kind: 'http', path: '/health', expectStatus: [200], via: 'site' }],
  secrets: [],
  memoryLimit: '256M',
  capAdd: ['NET_BIND_SERVICE', 'DAC_OVERRIDE'],
};
