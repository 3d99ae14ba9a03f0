import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../src/profile/validate.js';
import { firewallRules } from '../../src/steps/harden/firewall.js';
import { hardenContext } from '../../src/steps/harden/context.js';
import { hardenSteps } from '../../src/steps/harden/harden-steps.js';
import { sshdConfig } from '../../src/steps/harden/ssh.js';
import { exampleProfile } from '../helpers/profiles.js';

function profile(mutate: (p: Record<string, any>) => void = () => {}) {
  const raw = exampleProfile('minimal');
  mutate(raw);
  const r = validateProfile(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.profile;
}

describe('harden steps', () => {
  const p = profile();
  const steps = hardenSteps(p, p.hosts[0]!);
  const ids = steps.map((s) => s.id);

  it('creates the admin and its sudo rule before root login is turned off, and closes the old port last of the SSH move', () => {
    expect(new Set(ids).size).toBe(ids.length);
    const at = (id: string) => ids.indexOf(id);
    expect(at('harden.admin.sudo')).toBeLessThan(at('harden.ssh.config'));
    expect(at('harden.firewall.rules')).toBeLessThan(at('harden.ssh.new-port'));
    expect(at('harden.ssh.new-port')).toBeLessThan(at('harden.ssh.config'));
    expect(at('harden.ssh.config')).toBeLessThan(at('harden.firewall.close-old-ssh-port'));
    for (const id of ids) expect(id).toMatch(/^harden\.[a-z0-9-]+\.[a-z0-9-]+$/);
  });

  it('guards every step that can cut access, and proves access from a second connection', () => {
    for (const id of ['harden.firewall.rules', 'harden.ssh.new-port', 'harden.ssh.config', 'harden.firewall.close-old-ssh-port']) {
      const step = steps.find((s) => s.id === id)!;
      expect(step.guard?.seconds, id).toBeGreaterThan(0);
      expect(step.guard?.revert.length, id).toBeGreaterThan(0);
      expect(step.prove, id).toBeDefined();
    }
    expect(steps.find((s) => s.id === 'harden.ssh.new-port')!.prove).toEqual({ port: 2222, user: 'deploy' });
  });

  it('writes an sshd drop-in for the target port only, with no root login and no passwords', () => {
    const config = sshdConfig(hardenContext(p, p.hosts[0]!));
    expect(config).toContain('Port 2222\n');
    expect(config).not.toContain('Port 22\n');
    for (const line of ['PermitRootLogin no', 'PasswordAuthentication no', 'AllowUsers deploy']) expect(config).toContain(`${line}\n`);
  });

  it('skips the move when the port does not change', () => {
    const same = profile((raw) => (raw.hosts[0].ssh.targetPort = 22));
    const ids2 = hardenSteps(same, same.hosts[0]!).map((s) => s.id);
    expect(ids2).not.toContain('harden.ssh.new-port');
    expect(ids2).not.toContain('harden.firewall.close-old-ssh-port');
    expect(ids2).toContain('harden.ssh.config');
  });

  it('opens the web ports publicly, or only to the VPN in vpn-only mode', () => {
    expect(firewallRules(hardenContext(p, p.hosts[0]!))).toEqual(['ufw allow 2222/tcp', 'ufw allow 80/tcp', 'ufw allow 443/tcp', 'ufw allow 443/udp']);
    const vpn = profile((raw) => {
      raw.vpn = { enabled: true, headscaleUrl: 'https://vpn.example.com' };
      raw.access = { mode: 'vpn-only' };
      raw.hosts[0].services.push('tailscale');
    });
    expect(firewallRules(hardenContext(vpn, vpn.hosts[0]!))).toEqual([
      'ufw allow 2222/tcp',
      'ufw allow from 100.64.0.0/10 to any port 443 proto tcp',
      'ufw allow from 100.64.0.0/10 to any port 443 proto udp',
      'ufw allow 41641/udp',
    ]);
  });

  it('puts only strings in argv, and installs only what the host runs', () => {
    for (const s of steps) for (const c of [s.check, ...s.apply, ...(s.guard?.revert ?? [])]) if (c) for (const t of c.argv) expect(typeof t).toBe('string');
    expect(ids).not.toContain('harden.crowdsec.sshd');
    expect(ids).toContain('harden.fail2ban.sshd');
  });
});
