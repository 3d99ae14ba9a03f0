import type { ServiceEntry } from '../types.js';

export const crowdsec: ServiceEntry = {
  id: 'crowdsec',
  description: 'CrowdSec from the distribution, with the sshd collection',
  placement: { kind: 'host' },
  package: { packages: ['crowdsec'], version: 'distribution', source: 'distribution' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: [],
  networks: [],
  ports: [],
  dataDirs: [],
  smoke: [{ id: 'crowdsec.active', kind: 'systemd', unit: 'crowdsec' }],
  secrets: [],
};
