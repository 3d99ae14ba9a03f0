import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from '../../../src/lib/secret.js';
import { hardenContext } from '../../../src/steps/harden/context.js';
import { publishedAllows } from '../../../src/steps/harden/docker.js';
import { closeOldPortStep, firewallSteps } from '../../../src/steps/harden/firewall.js';
import { UFW_ON } from '../../../src/steps/harden/ufw-state.js';
import { PHASES } from '../../../src/steps/phases.js';
import { hostSteps } from '../../../src/steps/registry.js';
import {
  isPreauthKey, parseHeadscaleUsers, parseHeadscaleVersion, preauthKeyArgs, versionAtLeast,
} from '../../../src/steps/vpn/headscale-cli.js';
import { isLateVpnStep, vpnLateSteps, vpnSteps } from '../../../src/steps/vpn/vpn-steps.js';
import { validExample } from '../../helpers/profiles.js';

const vpai = validExample('vpai');
/** A node of the mesh (tailscale, ufw) in vpn-only mode; the hub seko-vpn runs Headscale. */
const hub = vpai.hosts.find((h) => h.name === 'sese-ai')!;
const VAULT = { secret: (key: string) => Secret.of(`stand-in value of ${key}`) };

describe('the Headscale CLI across versions (apis.md §4)', () => {
  const user = { id: '3', name: 'homelab' };
  it('passes the user name up to 0.25 and the numeric ID from 0.26 (also 0.28, where --user is optional)', () => {
    expect(preauthKeyArgs(parseHeadscaleVersion('v0.23.0')!, user, '10m')).toEqual(['preauthkeys', 'create', '--user', 'homelab', '--expiration', '10m']);
    expect(preauthKeyArgs(parseHeadscaleVersion('v0.25.1')!, user, '10m')).toContain('homelab');
    expect(preauthKeyArgs(parseHeadscaleVersion('v0.26.1')!, user, '10m')).toEqual(['preauthkeys', 'create', '--user', '3', '--expiration', '10m']);
    expect(preauthKeyArgs(parseHeadscaleVersion('0.28.0\ncommit: abc')!, user, '10m')).toContain('3');
  });

  it('never makes a reusable or ephemeral key', () => {
    for (const v of ['v0.23.0', 'v0.26.1', 'v0.29.2']) {
      const args = preauthKeyArgs(parseHeadscaleVersion(v)!, user, '10m');
      expect(args).not.toContain('--reusable');
      expect(args).not.toContain('--ephemeral');
    }
  });

  it('reads versions, users in the protobuf shape (≤0.29) and the API shape (0.30), and both key formats', () => {
    expect(parseHeadscaleVersion('no version')).toBeUndefined();
    expect(versionAtLeast(parseHeadscaleVersion('v0.22.3')!, 23)).toBe(false);
    expect(versionAtLeast(parseHeadscaleVersion('v1.0.0')!, 26)).toBe(true);
    expect(parseHeadscaleUsers('[{"id":1,"name":"ops","created_at":{"seconds":1}}]')).toEqual([{ id: '1', name: 'ops' }]);
    expect(parseHeadscaleUsers('{"users":[{"id":"7","name":"homelab","createdAt":"2026-01-01T00:00:00Z"}]}')).toEqual([{ id: '7', name: 'homelab' }]);
    expect(parseHeadscaleUsers('null')).toEqual([]);
    expect(() => parseHeadscaleUsers('"User created"')).toThrow();
    expect(isPreauthKey('0123456789abcdef0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isPreauthKey('hskey-auth-AbC123_x-yz')).toBe(true);
    expect(isPreauthKey('User created')).toBe(false);
  });
});

describe('vpn steps', () => {
  it('installs Tailscale in phase order, and runs the join and vpn-only SSH last, after deploy', () => {
    const steps = hostSteps(vpai, hub, PHASES, VAULT);
    const ids = steps.map((s) => s.id);
    expect(ids).toContain('vpn.tailscale.package');
    expect(ids.indexOf('vpn.tailscale.package')).toBeLessThan(ids.findIndex((id) => id.startsWith('deploy.')));
    expect(ids.slice(-2)).toEqual(['vpn.tailscale.join', 'vpn.access.ssh-vpn-only']);
    expect(steps.filter(isLateVpnStep).map((s) => s.id)).toEqual(['vpn.tailscale.join', 'vpn.access.ssh-vpn-only']);
  });

  it('builds nothing for a host without tailscale or with the VPN off', () => {
    const off = validExample('minimal');
    expect(vpnSteps(off, off.hosts[0]!)).toEqual([]);
    expect(vpnLateSteps(off, off.hosts[0]!)).toEqual([]);
  });

  it('passes the pre-auth key on stdin only: never in argv, and a join without a key fails with a reason', () => {
    const key = Secret.of('0123456789abcdef0123456789abcdef0123456789abcdef');
    const [join] = vpnLateSteps(vpai, hub, key);
    expect(join!.apply).toHaveLength(1);
    expect(isSecret(join!.apply[0]!.stdin)).toBe(true);
    expect(join!.apply[0]!.argv.join(' ')).not.toContain(key.reveal());
    expect(join!.apply[0]!.argv[2]).toContain('--auth-key="file:$d/key"');
    expect(join!.apply[0]!.argv[2]).toContain("trap 'rm -rf \"$d\"' EXIT");
    expect(join!.apply[0]!.argv.slice(4)).toEqual(['https://vpn.example.com', hub.name, `/opt/homelab/${vpai.project.name}/vpn-login-server`]);
    const [keyless] = vpnLateSteps(vpai, hub);
    expect(keyless!.apply[0]!.stdin).toBeUndefined();
    expect(keyless!.apply[0]!.argv.join(' ')).toMatch(/no pre-auth key was made/);
  });

  it('restricts SSH to the VPN only behind a proven VPN login, guarded, with a hint that says what to do', () => {
    const restrict = vpnLateSteps(vpai, hub).find((s) => s.id === 'vpn.access.ssh-vpn-only')!;
    const login = { port: hub.ssh.targetPort, user: hub.ssh.adminUser, network: 'vpn' };
    expect(restrict.precondition?.prove).toEqual(login);
    expect(restrict.precondition?.hint).toMatch(/tailscale status/);
    expect(restrict.prove).toEqual(login);
    expect(restrict.guard?.revert).toEqual([{ argv: ['ufw', 'allow', `${hub.ssh.targetPort}/tcp`] }]);
    expect(restrict.check?.argv.slice(4)).toEqual([`ufw allow from 100.64.0.0/10 to any port ${hub.ssh.targetPort} proto tcp`, `ufw allow ${hub.ssh.targetPort}/tcp`]);
    const publicMode = validExample('vpai', (raw) => (raw.access.mode = 'public'));
    expect(vpnLateSteps(publicMode, publicMode.hosts.find((h) => h.name === hub.name)!).map((s) => s.id)).toEqual(['vpn.tailscale.join']);
  });

  it('tells hardening to keep SSH VPN-only once restricted, in vpn-only mode only', () => {
    const fw = firewallSteps(hardenContext(vpai, hub))[0]!;
    expect(fw.check?.argv.slice(6)).toEqual([`ufw allow from 100.64.0.0/10 to any port ${hub.ssh.targetPort} proto tcp`, `ufw allow ${hub.ssh.targetPort}/tcp`]);
    const publicMode = validExample('vpai', (raw) => (raw.access.mode = 'public'));
    const h = publicMode.hosts.find((x) => x.name === hub.name)!;
    expect(firewallSteps(hardenContext(publicMode, h))[0]!.check?.argv[6]).toBe('');
  });
});

describe('harden fixes found on the way', () => {
  it('a vpn-only Headscale host without acme-http publishes no port 80 to containers, like its host firewall', () => {
    const internal = validExample('vpai', (raw) => (raw.domain.tls = 'internal'));
    const h = internal.hosts.find((x) => x.name === internal.vpn.hub)!;
    expect(publishedAllows(hardenContext(internal, h)).map((a) => `${a.port}/${a.proto}`)).toEqual(['443/tcp', '443/udp', '3478/udp']);
    // acme-http is refused for a fleet with VPN-only sites: the hub alone, whose Headscale is public.
    const acme = validExample('vpai', (raw) => {
      raw.domain.tls = 'acme-http';
      raw.access = { mode: 'public' };
      raw.hosts = raw.hosts.filter((h: { name: string }) => h.name === raw.vpn.hub);
    });
    expect(publishedAllows(hardenContext(acme, acme.hosts.find((x) => x.name === acme.vpn.hub)!)).map((a) => `${a.port}/${a.proto}`)).toContain('80/tcp');
  });

  it('close-old-ssh-port is only converged once the firewall is on (a fresh host shows it as a change)', () => {
    const minimal = validExample('minimal');
    const close = closeOldPortStep(hardenContext(minimal, minimal.hosts[0]!))!;
    expect(close.check?.argv[2]).toContain(`${UFW_ON} && ! ufw_added | grep -qxF`);
  });
});
