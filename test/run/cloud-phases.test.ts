import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { GlobalOptions } from '../../src/contracts/global-options.js';
import { Secret } from '../../src/lib/secret.js';
import { applyCloudPhases, planCloudPhases } from '../../src/run/cloud-phases.js';
import { prepareEngine } from '../../src/session/engine-setup.js';
import { createVault } from '../../src/vault/vault.js';
import { FakeHetzner } from '../fakes/fake-hetzner.js';
import { FakeOvh } from '../fakes/fake-ovh.js';
import { captureIo } from '../helpers/io.js';
import { REPO } from '../helpers/profiles.js';
import { removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';

/**
 * The provision and dns phases against the fake Hetzner and OVH APIs on loopback. The fake
 * Hetzner's starter (a stand-in) gives every server 127.0.0.1, where a stand-in sshd answers
 * with a banner, so the bounded wait for SSH is exercised for real.
 */
let banner: Server;
let sshPort = 0;
const hetzner = new FakeHetzner({ actionMs: 200, rateLimit: 360_000, starter: { start: async () => ({ ipv4: '127.0.0.1' }), stop: async () => {} } });
const ovh = new FakeOvh();
let consumerKey = '';

beforeAll(async () => {
  banner = createServer((socket) => socket.end('SSH-2.0-stand-in\r\n'));
  await new Promise<void>((r) => banner.listen(0, '127.0.0.1', r));
  sshPort = (banner.address() as AddressInfo).port;
  await hetzner.start();
  await ovh.start();
  consumerKey = ovh.addConsumer();
  ovh.addZone('example.com', [{ subDomain: 'mail', fieldType: 'A', target: '198.51.100.7', ttl: 300 }]);
});

afterAll(async () => {
  await hetzner.stop();
  await ovh.stop();
  banner.close();
  removeTempProjects();
});

async function project(name: string, edit: (p: Record<string, any>) => void = () => {}): Promise<TempProject> {
  const p = await tempProject(name);
  const profile = parse(readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8')) as Record<string, any>;
  profile.project.name = name;
  profile.domain.dnsProvider = 'ovh';
  profile.providers = { hetzner: { endpoint: hetzner.url }, ovh: { endpoint: ovh.endpoint } };
  const host = profile.hosts[0];
  delete host.address;
  host.name = 'app';
  host.provider = { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-12' };
  host.ssh.port = sshPort;
  host.ssh.targetPort = sshPort;
  edit(profile);
  writeFileSync(path.join(p.dir, 'profiles', `${name}.yaml`), `# my notes stay\n${stringify(profile)}`);
  await createVault(p.dir, name, [
    ['hetzner.token', Secret.of(hetzner.token)],
    ['ovh.applicationKey', Secret.of(ovh.appKey)],
    ['ovh.applicationSecret', Secret.of(ovh.appSecret)],
    ['ovh.consumerKey', Secret.of(consumerKey)],
  ], [p.publicKey]);
  return p;
}

async function run(p: TempProject, name: string, mode: 'plan' | 'apply', options: { allowDestroy?: boolean; host?: string } = {}) {
  const io = captureIo({ env: p.env, cwd: p.dir });
  const global: GlobalOptions = { dir: p.dir, profile: name, json: false, verbose: false, yes: false, nonInteractive: true };
  const setup = await prepareEngine(global, { only: 'provision,dns', io, ...(options.host ? { host: options.host } : {}) });
  const ctx = { global, io, setup };
  if (mode === 'plan') return { ...(await planCloudPhases(ctx)), profileChanged: false, io };
  return { ...(await applyCloudPhases(ctx, { allowDestroy: options.allowDestroy ?? false })), io };
}

const lines = (steps: readonly { action: string; id: string }[]): string[] => steps.map((s) => `${s.action} ${s.id}`);

afterEach(() => {
  hetzner.actionMs = 200;
});

describe('provision through the fake Hetzner API, dns through the fake OVH API', () => {
  it('creates key, firewall and server, pins the host key, writes the address back, publishes the records; a second apply changes nothing', async () => {
    const p = await project('one');
    const planned = await run(p, 'one', 'plan');
    expect(lines(planned.steps)).toEqual(['+ provision.ssh-key', '+ provision.firewall', '+ provision.server', '? dns.records']);
    expect(hetzner.serverCount()).toBe(0);

    const first = await run(p, 'one', 'apply');
    expect(lines(first.steps)).toEqual(['+ provision.ssh-key', '+ provision.firewall', '+ provision.server', '+ dns.A.@', '+ dns.AAAA.@', '+ dns.A.n8n', '+ dns.AAAA.n8n']);
    expect(first.profileChanged).toBe(true);
    const text = readFileSync(path.join(p.dir, 'profiles/one.yaml'), 'utf8');
    expect(text.startsWith('# my notes stay\n')).toBe(true);
    expect(parse(text).hosts[0].address).toBe('127.0.0.1');
    expect(existsSync(path.join(p.dir, 'profiles/one.yaml.bak'))).toBe(true);
    expect(first.io.err()).toMatch(/^\+\s+address: 127\.0\.0\.1$/m);

    // The key that went into the user data is the one pinned, and the local copy is gone.
    const knownHosts = readFileSync(path.join(p.dir, 'profiles/one.known_hosts'), 'utf8').trim().split('\n');
    expect(knownHosts).toHaveLength(1);
    expect(knownHosts[0]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshPort} ssh-ed25519 AAAA\\S+ app@homelab-wizard$`));
    expect(existsSync(path.join(p.dir, '.homelab/provision/one/app'))).toBe(false);

    const published = ovh.published('example.com');
    expect(published.filter((r) => r.subDomain !== 'mail').map((r) => `${r.subDomain} ${r.fieldType} ${r.target}`).sort()).toEqual([
      ' A 127.0.0.1', ' AAAA 2001:db8:' + published.find((r) => r.fieldType === 'AAAA')?.target.split(':')[2] + '::1', 'n8n A 127.0.0.1', 'n8n AAAA ' + published.find((r) => r.fieldType === 'AAAA')?.target,
    ].sort());
    const state = JSON.parse(readFileSync(path.join(p.dir, '.homelab/state/one/dns.json'), 'utf8'));
    expect(state.records).toHaveLength(4);

    const again = await run(p, 'one', 'apply');
    expect(again.steps.every((s) => s.action === '=')).toBe(true);
    expect(again.profileChanged).toBe(false);
    expect(hetzner.serverCount()).toBe(1);
    // A record the tool did not create is never touched.
    expect(ovh.published('example.com').find((r) => r.subDomain === 'mail')?.target).toBe('198.51.100.7');
  }, 30_000);

  it('waits out a 429 until its reset and retries 5xx, then lists where the type is available on resource_unavailable', async () => {
    const p = await project('faults', (profile) => void (profile.domain.dnsProvider = 'manual'));
    hetzner.inject({ kind: 'rate-limit', method: 'GET', path: '/servers' });
    hetzner.inject({ kind: 'server-error', method: 'POST', path: '/firewalls' });
    hetzner.inject({ kind: 'resource-unavailable' });
    const error = await run(p, 'faults', 'apply').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider-error', message: expect.stringMatching(/cannot create a cx23 in fsn1 now: error during placement \(resource_unavailable, HTTP 412\)/) });
    expect((error as { hint: string }).hint).toMatch(/^cx23 is available in: nbg1, hel1; fsn1 has: cx33, cx43, cx53, cpx22, cpx32, cpx42, ccx13/);
    // The pending host key stays for the next attempt; no server exists.
    expect(existsSync(path.join(p.dir, '.homelab/provision/faults/app/ssh_host_ed25519_key'))).toBe(true);
    const before = hetzner.requests.length;
    const io = await run(p, 'faults', 'apply');
    expect(lines(io.steps)).toContain('+ provision.server');
    expect(hetzner.requests.length).toBeGreaterThan(before);
  }, 30_000);

  it('says what it waits for: rate limit, retries and slow actions', async () => {
    const p = await project('waits', (profile) => void (profile.domain.dnsProvider = 'manual'));
    hetzner.actionMs = 2500;
    hetzner.inject({ kind: 'rate-limit', method: 'GET', path: '/servers' });
    hetzner.inject({ kind: 'unavailable', method: 'POST', path: '/firewalls' });
    const result = await run(p, 'waits', 'apply');
    expect(result.io.err()).toMatch(/provision: Hetzner rate limit reached; waiting \d+ s for it to reset/);
    expect(result.io.err()).toMatch(/provision: the Hetzner API answered unavailable \(HTTP 503\); retrying in 1 s/);
    expect(result.io.err()).toMatch(/waiting for SSH at 127\.0\.0\.1:\d+/);
    expect(result.io.err()).not.toContain(hetzner.token);
  }, 30_000);

  it('deletes a labelled server whose host left the profile only with --allow-destroy', async () => {
    const p = await project('gone', (profile) => void (profile.domain.dnsProvider = 'manual'));
    await run(p, 'gone', 'apply');
    const file = path.join(p.dir, 'profiles/gone.yaml');
    const profile = parse(readFileSync(file, 'utf8'));
    profile.hosts[0].name = 'other';
    delete profile.hosts[0].address;
    writeFileSync(file, stringify(profile));
    const planned = await run(p, 'gone', 'plan');
    expect(lines(planned.steps.filter((s) => s.host === 'app'))).toEqual(['- provision.server']);
    await expect(run(p, 'gone', 'apply')).rejects.toMatchObject({ code: 'destructive-refused' });
    const count = hetzner.serverCount();
    await run(p, 'gone', 'apply', { allowDestroy: true });
    expect(hetzner.serverCount()).toBe(count); // one deleted, one created for 'other'
    expect((await run(p, 'gone', 'plan')).steps.every((s) => s.action === '=')).toBe(true);
  }, 30_000);

  it('survives the OVH id=0 quirk and an invalid signature, and keeps ids so a rerun creates nothing twice', async () => {
    const p = await project('quirks', (profile) => {
      profile.domain.name = 'example.org';
    });
    ovh.addZone('example.org');
    ovh.inject({ kind: 'id-zero', times: 4 });
    ovh.inject({ kind: 'invalid-signature' });
    const first = await run(p, 'quirks', 'apply');
    expect(first.steps.filter((s) => s.phase === 'dns' && s.action === '+')).toHaveLength(4);
    const state = JSON.parse(readFileSync(path.join(p.dir, '.homelab/state/quirks/dns.json'), 'utf8'));
    expect(state.records.every((r: { id: number }) => r.id > 0)).toBe(true);
    const again = await run(p, 'quirks', 'apply');
    expect(again.steps.every((s) => s.action === '=')).toBe(true);
    expect(ovh.published('example.org')).toHaveLength(4);
  }, 30_000);
});
