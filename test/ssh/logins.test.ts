import { describe, expect, it } from 'vitest';
import { loginCandidates } from '../../src/ssh/logins.js';

const host = { address: '203.0.113.10', tailscaleIp: '100.64.0.7', ssh: { port: 22, targetPort: 2222, user: 'root', adminUser: 'deploy', sudo: 'nopasswd' as const } };

describe('loginCandidates()', () => {
  it('tries the admin on the target port, then the initial login', () => {
    expect(loginCandidates(host)).toEqual([
      { address: '203.0.113.10', port: 2222, user: 'deploy' },
      { address: '203.0.113.10', port: 22, user: 'root' },
    ]);
  });

  it('in vpn-only mode tries the VPN address first (SSH answers only there once restricted), the public ones after', () => {
    expect(loginCandidates(host, true)[0]).toEqual({ address: '100.64.0.7', port: 2222, user: 'deploy' });
    expect(loginCandidates(host, true)).toHaveLength(3);
    const { tailscaleIp: _ip, ...noVpn } = host;
    expect(loginCandidates(noVpn, true)).toEqual(loginCandidates(noVpn));
  });
});
