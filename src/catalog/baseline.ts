import type { HostRole } from './types.js';

/**
 * The host components every new host of a role starts with: Docker (everything else runs on it),
 * a default-deny firewall, fail2ban on SSH and automatic security updates. A workstation sits
 * behind a home router and has no public SSH, so it skips fail2ban. With the VPN on, every host
 * also joins it (tailscale). The wizard pre-selects these; the operator can still untick them.
 */
const BASELINE: Record<HostRole, readonly string[]> = {
  'ai-server': ['docker', 'ufw', 'fail2ban', 'unattended-upgrades'],
  'app-server': ['docker', 'ufw', 'fail2ban', 'unattended-upgrades'],
  'vpn-hub': ['docker', 'ufw', 'fail2ban', 'unattended-upgrades'],
  workstation: ['docker', 'ufw', 'unattended-upgrades'],
};

export function hardeningBaseline(role: string, vpn: boolean): readonly string[] {
  const base = BASELINE[role as HostRole] ?? BASELINE['app-server'];
  return vpn ? [...base, 'tailscale'] : base;
}
