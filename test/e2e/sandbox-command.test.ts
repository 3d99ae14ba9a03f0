import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOvh } from '../fakes/fake-ovh.js';
import { exampleProfile } from '../helpers/profiles.js';
import { AcmeBed } from './helpers/acme-bed.js';
import { SandboxProject } from './helpers/sandbox-project.js';
import { E2E_SUBNET, remote, TestBed } from './helpers/test-bed.js';

/**
 * The user-facing `homelab-wizard sandbox up --profile X | list | down`, run as a user runs it:
 * one sandbox server per host of X, a copy of X pointing at them, and down removing all of it.
 */
const bed = new TestBed('command');
/** The operator's project; its vault is encrypted to an identity of its own, as `init` leaves it. */
const project = new SandboxProject(bed, 'project');
const PROFILE = 'e2e-sbx';
const cli = project.cli({ env: { HLW_SANDBOX_ORIGIN: 'test' } });
const keyFile = path.join(project.dir, 'key.pub');

/** The OVH API and the ACME server the copy rehearses the profile's TLS against, on the bed network's gateway. */
const GATEWAY = E2E_SUBNET.replace(/\.0\/\d+$/, '.1');
const ovh = new FakeOvh({ address: GATEWAY });
const acme = new AcmeBed({ address: GATEWAY, ovh });
let consumerKey = '';

beforeAll(async () => {
  const profile = exampleProfile('minimal');
  profile['project'].name = PROFILE;
  // The TLS settings of profiles/vpai.yaml: DNS-01 through OVH.
  profile['domain'] = { ...exampleProfile('vpai')['domain'], acmeEmail: 'acme@example.com' };
  project.writeProfile(profile);
  copyFileSync(`${bed.privateKeyPath}.pub`, keyFile);
  consumerKey = ovh.addConsumer();
  ovh.addZone('example.com');
  // The profile's own vault, with every generated secret, as `init` writes it, and the OVH keys the operator gave.
  await project.writeVault(profile, { set: { 'ovh.applicationKey': ovh.appKey, 'ovh.applicationSecret': ovh.appSecret, 'ovh.consumerKey': consumerKey } });
});

afterAll(async () => {
  await acme.stop();
  await ovh.stop();
  await cli('sandbox', 'down', '--profile', PROFILE);
  await bed.tearDown();
  project.remove();
  const left = await bed.docker.out(['ps', '-aq', '--filter', `label=org.homelab-wizard.sandbox.bed=${PROFILE}`]);
  expect(left).toBe('');
});

describe('homelab-wizard sandbox', () => {
  let server: { host: string; address: string; sshPort: number };

  it('up --profile starts one server per host and writes a sandbox copy of the profile', async () => {
    const r = await cli('--json', 'sandbox', 'up', '--profile', PROFILE, '--subnet', E2E_SUBNET, '--ssh-key', keyFile);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ bed: PROFILE, subnet: E2E_SUBNET, registry: { servers: 'sandbox-registry:5000' } });
    expect(out.servers).toHaveLength(1);
    server = out.servers[0];
    expect(server.host).toBe('vps');
    expect(server.address.startsWith(E2E_SUBNET.split('.').slice(0, 3).join('.'))).toBe(true);
    const copyFile = path.join(project.dir, 'profiles', `${PROFILE}-sandbox.yaml`);
    expect(out.profile).toBe(copyFile);
    const copy = parse(readFileSync(copyFile, 'utf8'));
    expect(copy.hosts[0]).toMatchObject({ name: 'vps', address: server.address, ssh: { port: 22, user: 'root', targetPort: 2222 } });
    expect(copy.images.registry).toBe('sandbox-registry:5000');
    expect(copy.operator.sshPublicKeys).toContain(bed.publicKey);
    expect((await cli('profile', 'check', '--profile', `${PROFILE}-sandbox`)).code).toBe(0);
  });

  it('lets the operator in as root with the given key, through 127.0.0.1 and at the sandbox address', async () => {
    for (const [host, port] of [['127.0.0.1', server.sshPort], [server.address, 22]] as const) {
      const ssh = await bed.sshAt(host, port);
      try {
        expect(await remote(ssh, 'hostname')).toBe('vps');
      } finally {
        ssh.dispose();
      }
    }
  });

  it("up again with --acme changes no server and points the copy at that ACME server, keeping the profile's TLS mode; list shows the server", async () => {
    // Pebble and the OVH API listen on the bed network's gateway, which exists once the first up made the network.
    await ovh.start();
    await acme.start();
    const settings = path.join(project.dir, 'acme.yaml');
    writeFileSync(path.join(project.dir, 'pebble-roots.pem'), await acme.rootsPem());
    writeFileSync(settings, stringify({ directory: acme.directoryUrl, roots: 'pebble-roots.pem', resolvers: [acme.dns.server], ovhEndpoint: ovh.endpoint }));
    const up = await cli('--json', 'sandbox', 'up', '--profile', PROFILE, '--subnet', E2E_SUBNET, '--ssh-key', keyFile, '--acme', settings);
    expect(up.code, up.stderr).toBe(0);
    const again = JSON.parse(up.stdout);
    expect(again.servers[0]).toMatchObject({ address: server.address, sshPort: server.sshPort });
    const copy = parse(readFileSync(path.join(project.dir, 'profiles', `${PROFILE}-sandbox.yaml`), 'utf8'));
    expect(copy.domain).toMatchObject({ tls: 'acme-dns-ovh', dnsProvider: 'ovh', acmeServer: { directory: acme.directoryUrl }, acmeResolvers: [acme.dns.server] });
    expect(copy.providers.ovh.endpoint).toBe(ovh.endpoint);
    // What the public DNS gives a real server: the zone's nameserver by name (lego's propagation check asks it).
    const ssh = await bed.sshAt(server.address, 22);
    try {
      await remote(ssh, `printf '%s' '${acme.dns.hostsLines()}' >> /etc/hosts`);
    } finally {
      ssh.dispose();
    }
    const list = JSON.parse((await cli('--json', 'sandbox', 'list', '--profile', PROFILE)).stdout);
    expect(list).toEqual([expect.objectContaining({ bed: PROFILE, host: 'vps', address: server.address, status: 'running' })]);
    const text = (await cli('sandbox', 'list', '--profile', PROFILE)).stdout;
    expect(text).toMatch(new RegExp(`^SANDBOX\\s+HOST\\s+ADDRESS\\s+SSH\\s+STATUS\\n${PROFILE}\\s+vps\\s+${server.address.replace(/\./g, '\\.')}\\s+127\\.0\\.0\\.1:${server.sshPort}\\s+running`));
  });

  it("apply on the copy works with no other step: it reads the profile's own vault, gets its certificates by DNS-01 from Pebble, and smoke passes with them verified", async () => {
    const r = await cli('apply', '--profile', `${PROFILE}-sandbox`, '--accept-new-host-keys');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Smoke passed: \d+ passed, 0 failed/);
    expect(existsSync(path.join(project.dir, 'vault', `${PROFILE}-sandbox.age`))).toBe(false);
    const smoke = await cli('--json', 'smoke', '--profile', `${PROFILE}-sandbox`);
    expect(smoke.code, smoke.stdout).toBe(0);
    const checks = (JSON.parse(smoke.stdout) as { hosts: { checks: { id: string; status: string; reason: string }[] }[] }).hosts[0]!.checks;
    expect(checks.find((c) => c.id === 'caddy.tls-renewal')).toMatchObject({ status: 'PASS' });
    const sites = checks.filter((c) => c.id !== 'caddy.tls-renewal' && /certificate valid until/.test(c.reason));
    expect(sites.length).toBeGreaterThan(0);
    for (const site of sites) expect(site.reason).toMatch(/Pebble Intermediate CA/);
  }, 900_000);

  it('down removes the servers, their volumes, the network and the generated profile', async () => {
    const r = await cli('sandbox', 'down', '--profile', PROFILE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed hlw-${PROFILE}-vps`);
    expect(existsSync(path.join(project.dir, 'profiles', `${PROFILE}-sandbox.yaml`))).toBe(false);
    expect(existsSync(path.join(project.dir, 'profiles', `${PROFILE}.yaml`))).toBe(true);
    const filter = `label=org.homelab-wizard.sandbox.bed=${PROFILE}`;
    for (const kind of [['ps', '-aq'], ['volume', 'ls', '-q'], ['network', 'ls', '-q']]) expect(await bed.docker.out([...kind, '--filter', filter])).toBe('');
    expect((await cli('sandbox', 'down', '--profile', PROFILE)).stdout).toContain('nothing to remove');
  });
});
