import type { ServiceEntry } from '../types.js';

export const ufw: ServiceEntry = {
  id: 'ufw',
  description: 'Host firewall: default deny, the profile allow list, and DOCKER-USER rules for published ports',
  placement: { kind: 'host' },
  package: { packages: ['ufw'], version: 'distribution', source: 'distribution' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: [],
  networks: [],
  ports: [],
  dataDirs: [],
  smoke: [{ id: 'ufw.active', kind: 'command', argv: ['ufw', 'status'], expect: 'Status: active' }],
  secrets: [],
};
