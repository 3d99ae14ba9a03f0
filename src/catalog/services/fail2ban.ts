import type { ServiceEntry } from '../types.js';

export const fail2ban: ServiceEntry = {
  id: 'fail2ban',
  description: 'fail2ban with the sshd jail on the real SSH port (systemd journal backend)',
  placement: { kind: 'host' },
  package: { packages: ['fail2ban', 'python3-systemd'], version: 'distribution', source: 'distribution' },
  roles: ['ai-server', 'vpn-hub', 'workstation', 'app-server'],
  dependsOn: ['ufw'],
  networks: [],
  ports: [],
  dataDirs: [],
  smoke: [{ id: 'fail2ban.active', kind: 'systemd', unit: 'fail2ban' }],
  secrets: [],
};
