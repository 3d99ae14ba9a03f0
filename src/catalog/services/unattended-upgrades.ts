import type { ServiceEntry } from '../types.js';

export const unattendedUpgrades: ServiceEntry = {
  id: 'unattended-upgrades',
  description: 'Automatic security updates (security origin only, no automatic reboot)',
  placement: { kind: 'host' },
  package: { packages: ['unattended-upgrades'], version: 'distribution', source: 'distribution' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: [],
  networks: [],
  ports: [],
  dataDirs: [],
  smoke: [{ id: 'unattended-upgrades.active', kind: 'systemd', unit: 'unattended-upgrades' }],
  secrets: [],
};
