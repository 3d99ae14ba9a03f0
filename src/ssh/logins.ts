import type { Host } from '../profile/schema.js';
import type { Endpoint } from './connect.js';

/**
 * The logins to try for a host, in order. Until the harden phase records that a host is hardened,
 * the rule is: the target login first (ssh.adminUser on ssh.targetPort); if that port refuses the
 * connection or that user is refused, the initial login (ssh.user on ssh.port).
 */
export function loginCandidates(host: Pick<Host, 'address' | 'ssh' | 'tailscaleIp'>, vpnOnly = false): Endpoint[] {
  if (host.address === undefined) return [];
  const target = { address: host.address, port: host.ssh.targetPort, user: host.ssh.adminUser };
  const initial = { address: host.address, port: host.ssh.port, user: host.ssh.user };
  // vpn-only: once the vpn phase restricted SSH, only the VPN address answers; before, the public one.
  const vpn = vpnOnly && host.tailscaleIp !== undefined ? [{ address: host.tailscaleIp, port: host.ssh.targetPort, user: host.ssh.adminUser }] : [];
  return [...vpn, ...(target.port === initial.port && target.user === initial.user ? [target] : [target, initial])];
}
