import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../src/profile/validate.js';
import { exampleProfile, issueAt } from '../helpers/profiles.js';

type Mutate = (p: Record<string, any>) => void;

/** One case per rule: a mutation of the minimal profile, the path it must be reported at, and words of the message. */
const cases: [string, Mutate, string, RegExp][] = [
  ['shell metacharacters in the project name', (p) => (p.project.name = 'vpai;rm -rf /'), 'project.name', /lower-case letters, digits or dashes/],
  ['../ in a host name', (p) => (p.hosts[0].name = '../etc'), 'hosts[0].name', /used in file paths/],
  ['an upper-case host name', (p) => (p.hosts[0].name = 'VPS'), 'hosts[0].name', /lower-case/],
  ['a one-letter name', (p) => (p.project.name = 'a'), 'project.name', /2-32/],
  ['an unknown service', (p) => p.hosts[0].services.push('jellyfin'), 'hosts[0].services[8]', /unknown service 'jellyfin'/],
  ['a missing dependency', (p) => (p.hosts[0].services = p.hosts[0].services.filter((s: string) => s !== 'redis')), 'hosts[0].services[6]', /'n8n' needs 'redis'/],
  ['a service on a role that cannot run it', (p) => p.hosts[0].services.push('headscale'), 'hosts[0].services[8]', /cannot run on a app-server host/],
  ['a service listed twice', (p) => p.hosts[0].services.push('redis'), 'hosts[0].services[8]', /listed twice/],
  ['duplicate host names', (p) => p.hosts.push({ ...p.hosts[0], address: '203.0.113.11' }), 'hosts[1].name', /already the name of hosts\[0\]/],
  ['duplicate addresses', (p) => p.hosts.push({ ...p.hosts[0], name: 'vps2', services: [] }), 'hosts[1].address', /already the address of hosts\[0\]/],
  ['an SSH port out of range', (p) => (p.hosts[0].ssh.targetPort = 70000), 'hosts[0].ssh.targetPort', /between 1 and 65535/],
  ['an SSH port that is not a number', (p) => (p.hosts[0].ssh.port = 'twenty-two'), 'hosts[0].ssh.port', /port number/],
  ['an SSH port clashing with a published port', (p) => (p.hosts[0].ssh.targetPort = 443), 'hosts[0].ssh.targetPort', /already published by 'caddy'/],
  ['a bad IP address', (p) => (p.hosts[0].address = '203.0.113.300'), 'hosts[0].address', /IPv4 or IPv6 address, or a host name/],
  ['an existing server without address', (p) => delete p.hosts[0].address, 'hosts[0].address', /required for an existing server/],
  ['a bad domain', (p) => (p.domain.name = 'example'), 'domain.name', /fully qualified domain name/],
  ['a bad e-mail', (p) => (p.notifications.email = 'ops-at-example.com'), 'notifications.email', /e-mail address/],
  ['a bad CIDR', (p) => (p.vpn = { enabled: false, cidr: '100.64.0.0/33' }), 'vpn.cidr', /CIDR range/],
  ['a VPN range overlapping the Docker networks', (p) => (p.vpn = { cidr: '172.20.0.0/16' }), 'vpn.cidr', /overlaps the Docker networks/],
  ['vpn-only access without the VPN', (p) => (p.access = { mode: 'vpn-only' }), 'access.mode', /needs the VPN/],
  ['the VPN without a Headscale URL', (p) => (p.vpn = { enabled: true }), 'vpn.headscaleUrl', /required when the VPN is enabled/],
  ['an unknown access mode', (p) => (p.access = { mode: 'private' }), 'access.mode', /public|vpn-only/],
  ['an unknown TLS mode', (p) => (p.domain.tls = 'letsencrypt'), 'domain.tls', /acme-http/],
  ['acme-dns-ovh without OVH DNS', (p) => (p.domain.tls = 'acme-dns-ovh'), 'domain.tls', /dnsProvider: ovh/],
  ['a Telegram chat id of the wrong shape', (p) => (p.notifications = { method: 'telegram', telegram: { chatId: 'my-group' } }), 'notifications.telegram.chatId', /Telegram chat id/],
  ['Telegram without a chat id', (p) => (p.notifications = { method: 'telegram' }), 'notifications.telegram.chatId', /required when notifications go to Telegram/],
  ['e-mail notifications without an address', (p) => (p.notifications = { method: 'email' }), 'notifications.email', /required when notifications go by e-mail/],
  ['a moving image tag', (p) => (p.hosts[0].services[7] = { name: 'n8n', version: 'latest' }), 'hosts[0].services[7].version', /pinned version/],
  ['a bad memory limit', (p) => (p.hosts[0].services[7] = { name: 'n8n', memoryLimit: 'lots' }), 'hosts[0].services[7].memoryLimit', /512M/],
  ['a subdomain that is not a DNS label', (p) => (p.hosts[0].services[7] = { name: 'n8n', subdomain: 'my_app' }), 'hosts[0].services[7].subdomain', /DNS label/],
  ['two sites on one subdomain', (p) => (p.hosts[0].services[7] = { name: 'n8n', subdomain: 'n8n' }) && p.hosts[0].services.push({ name: 'grafana', subdomain: 'n8n' }, 'victoriametrics'), 'hosts[0].services[8]', /subdomain 'n8n' is already used/],
  ['vpnOnly without the VPN', (p) => (p.hosts[0].services[7] = { name: 'n8n', vpnOnly: true }), 'hosts[0].services[7].vpnOnly', /needs the VPN/],
  ['a subdomain on a service without a site', (p) => (p.hosts[0].services[5] = { name: 'postgresql', subdomain: 'db' }), 'hosts[0].services[5]', /no web site/],
  ['an unknown field', (p) => (p.hosts[0].sshPort = 22), 'hosts[0].sshPort', /not a known field/],
  ['an unknown role', (p) => (p.hosts[0].role = 'nas'), 'hosts[0].role', /ai-server, vpn-hub, workstation, app-server/],
  ['root as the admin user', (p) => (p.hosts[0].ssh.adminUser = 'root'), 'hosts[0].ssh.adminUser', /must not be root/],
  ['a bad Unix user', (p) => (p.hosts[0].ssh.adminUser = 'Bob Smith'), 'hosts[0].ssh.adminUser', /Unix user name/],
  ['a jump host that does not exist', (p) => (p.hosts[0].ssh.jumpHost = 'bastion'), 'hosts[0].ssh.jumpHost', /not a host of this profile/],
  ['a host that jumps through itself', (p) => (p.hosts[0].ssh.jumpHost = 'vps'), 'hosts[0].ssh.jumpHost', /cannot be the host itself/],
  ['a Hetzner host without a server type', (p) => (p.hosts[0].provider = { kind: 'hetzner', location: 'fsn1', image: 'debian-13' }), 'hosts[0].provider.serverType', /required/],
  ['a bad Hetzner location', (p) => (p.hosts[0].provider = { kind: 'hetzner', serverType: 'cx23', location: 'Falkenstein', image: 'debian-13' }), 'hosts[0].provider.location', /fsn1/],
  ['no SSH public key', (p) => (p.operator.sshPublicKeys = []), 'operator.sshPublicKeys', /at least one public key/],
  ['a private key pasted as a public key', (p) => (p.operator.sshPublicKeys = ['-----BEGIN OPENSSH PRIVATE KEY-----']), 'operator.sshPublicKeys[0]', /public key line/],
  ['a bad time zone', (p) => (p.locale = { timezone: 'Paris time' }), 'locale.timezone', /Europe\/Paris/],
  ['a bad locale', (p) => (p.locale = { locale: 'french' }), 'locale.locale', /UTF-8 locale/],
  ['a bad registry', (p) => (p.images = { registry: 'https://mirror.example.com' }), 'images.registry', /registry host/],
  ['backups without S3', (p) => (p.backups = { enabled: true }), 'backups.s3', /required when backups are enabled/],
  ['a Tailscale address outside the VPN range', (p) => (p.hosts[0].tailscaleIp = '10.1.2.3'), 'hosts[0].tailscaleIp', /outside the VPN range/],
  ['a VPN hub that is not a vpn-hub host', (p) => (p.vpn = { hub: 'vps' }), 'vpn.hub', /needs role vpn-hub/],
  ['a missing schemaVersion', (p) => delete p.schemaVersion, 'schemaVersion', /must be 1/],
  ['no hosts', (p) => (p.hosts = []), 'hosts', /at least one host/],
  ['a relative deploy root', (p) => (p.deploy = { root: 'opt/homelab' }), 'deploy.root', /absolute folder/],
  ['a deploy root with a trailing slash', (p) => (p.deploy = { root: '/opt/homelab/' }), 'deploy.root', /absolute folder/],
  ['a deploy root that climbs out with ..', (p) => (p.deploy = { root: '/opt/../etc' }), 'deploy.root', /\. or \.\. segments/],
  ['a deploy root with a space', (p) => (p.deploy = { root: '/opt/home lab' }), 'deploy.root', /absolute folder/],
  ['a system folder as deploy root', (p) => (p.deploy = { root: '/etc' }), 'deploy.root', /not a system folder/],
];

describe('profile validation: one bad input per rule', () => {
  it('accepts the untouched minimal example', () => {
    expect(validateProfile(exampleProfile('minimal'))).toMatchObject({ ok: true });
  });

  it.each(cases)('reports %s', (_name, mutate, path, message) => {
    const profile = exampleProfile('minimal');
    mutate(profile);
    expect(issueAt(profile, path).message).toMatch(message);
  });

  it('reports every problem at once, shape and cross-field together', () => {
    const profile = exampleProfile('minimal');
    profile.project.name = 'Bad Name';
    profile.hosts[0].ssh.targetPort = 0;
    profile.domain.tls = 'acme-dns-ovh';
    profile.notifications.email = 'nope';
    profile.hosts[0].services.push('jellyfin');
    const result = validateProfile(profile);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(
      ['domain.tls', 'hosts[0].services[8]', 'hosts[0].ssh.targetPort', 'notifications.email', 'project.name'].sort(),
    );
  });

  it('ignores x- extension keys at any level', () => {
    const profile = exampleProfile('minimal');
    profile['x-notes'] = 'anything';
    profile.hosts[0]['x-rack'] = { slot: 3 };
    expect(validateProfile(profile).ok).toBe(true);
  });

  it('rejects a document that is not a mapping', () => {
    expect(validateProfile(['a', 'b'])).toEqual({ ok: false, issues: [{ path: '(top level)', message: expect.stringMatching(/YAML mapping/) }] });
  });
});
