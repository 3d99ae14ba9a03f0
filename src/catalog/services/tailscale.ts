import type { ServiceEntry } from '../types.js';

export const tailscale: ServiceEntry = {
  id: 'tailscale',
  description: 'Tailscale client joined to the Headscale mesh',
  placement: { kind: 'host' },
  package: { packages: ['tailscale'], version: '1.90.6', source: 'vendor' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: [],
  networks: [],
  ports: [{ container: 41641, protocol: 'udp', published: 41641 }],
  dataDirs: [],
  smoke: [{ id: 'tailscale.running', kind: 'command', argv: ['tailscale', 'status', '--json'], expect: '"BackendState": "Running"' }],
  secrets: [],
};
