import { describe, expect, it } from 'vitest';
import { firewallRules } from '../../src/steps/harden/firewall.js';
import { hardenContext } from '../../src/steps/harden/context.js';
import { hardenSteps } from '../../src/steps/harden/harden-steps.js';
import { daemonSettings, dockerUserScript, publishedAllows } from '../../src/steps/harden/docker.js';
import { SSHD_DROPIN, SSHD_TRANSITION, sshdConfig } from '../../src/steps/harden/ssh.js';
import { SYSCTL } from '../../src/steps/harden/sysctl.js';
import { validExample } from '../helpers/profiles.js';

const profile = (mutate?: (p: Record<string, any>) => void) => validExample('minimal', mutate);

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
      raw.domain.tls = 'internal'; // acme-http cannot work for VPN-only sites (profile check refuses it)
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

  it("names its sshd drop-ins so they sort before a provider's (sshd keeps the first value) and checks the effective values", () => {
    expect(SSHD_DROPIN).toBe('/etc/ssh/sshd_config.d/00-homelab-wizard.conf');
    expect(SSHD_DROPIN.split('/').pop()! < '00-provider.conf').toBe(true);
    expect(SSHD_TRANSITION.split('/').pop()! < '50-cloud-init.conf').toBe(true);
    const check = steps.find((s) => s.id === 'harden.ssh.config')!.check!.argv;
    expect(check.slice(-5)).toEqual(['permitrootlogin no', 'passwordauthentication no', 'kbdinteractiveauthentication no', 'pubkeyauthentication yes', 'allowusers deploy']);
  });

  it('leaves log_martians to ufw, which resets it on every start', () => {
    expect(Object.keys(SYSCTL)).not.toContain('net.ipv4.conf.all.log_martians');
  });

  it("keeps the sandbox's registry settings in daemon.json, derived from the profile", () => {
    const sandbox = profile((raw) => (raw.images = { registry: 'sandbox-registry:5000', insecureRegistry: true }));
    expect(daemonSettings(hardenContext(sandbox, sandbox.hosts[0]!))).toMatchObject({ 'registry-mirrors': ['http://sandbox-registry:5000'], 'insecure-registries': ['sandbox-registry:5000'] });
    const prefixed = profile((raw) => (raw.images = { registry: 'registry.example.com/mirror' }));
    const settings = daemonSettings(hardenContext(prefixed, prefixed.hosts[0]!));
    expect(settings).not.toHaveProperty('registry-mirrors');
    expect(settings).not.toHaveProperty('insecure-registries');
    expect(daemonSettings(hardenContext(p, p.hosts[0]!))).not.toHaveProperty('registry-mirrors');
  });

  it('filters published container ports like the firewall: by bridge interface, and only from the VPN in vpn-only mode', () => {
    expect(dockerUserScript(publishedAllows(hardenContext(p, p.hosts[0]!))).split('\n').filter((l) => l.startsWith('iptables -A'))).toEqual([
      'iptables -A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      'iptables -A DOCKER-USER -i docker0 -j RETURN',
      'iptables -A DOCKER-USER -i br-+ -j RETURN',
      'iptables -A DOCKER-USER -p tcp -m conntrack --ctorigdstport 80 -j RETURN',
      'iptables -A DOCKER-USER -p tcp -m conntrack --ctorigdstport 443 -j RETURN',
      'iptables -A DOCKER-USER -p udp -m conntrack --ctorigdstport 443 -j RETURN',
      'iptables -A DOCKER-USER -m conntrack --ctstate NEW -j DROP',
      'iptables -A DOCKER-USER -j RETURN',
    ]);
    const vpn = profile((raw) => {
      raw.vpn = { enabled: true, headscaleUrl: 'https://vpn.example.com' };
      raw.access = { mode: 'vpn-only' };
      raw.domain.tls = 'internal';
    });
    expect(publishedAllows(hardenContext(vpn, vpn.hosts[0]!))).toEqual([
      { port: 443, proto: 'tcp', from: '100.64.0.0/10' },
      { port: 443, proto: 'udp', from: '100.64.0.0/10' },
    ]);
  });
});
