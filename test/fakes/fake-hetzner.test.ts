import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCommands } from '../helpers/system-packages.js';
import { FakeHetzner, md5Fingerprint, type ServerStarter } from './fake-hetzner.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';

/** Contract tests of the fake Hetzner API against the payload shapes and rules of apis.md §1. */
const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2nXyIHvA0Tt6YtYvLZ2dHAnjB4vkDT5fZ4m0Yz3pJq operator@example.com';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl other@example.com';

let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
let fake: FakeHetzner;
let api: string;
const started: string[] = [];
const stopped: string[] = [];

/** A stand-in starter: records calls and hands out documentation addresses. */
const fakeStarter: ServerStarter = {
  async start(request) {
    started.push(`${request.name}:${request.publicKeys.length}`);
    return { ipv4: `198.51.100.${started.length + 10}` };
  },
  async stop(server) {
    stopped.push(server.name);
  },
};

async function call(method: string, p: string, body?: unknown, token = fake.token): Promise<{ status: number; json: any; headers: Headers; text: string }> {
  const response = await fetch(`${api}${p}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers, text };
}

beforeEach(async () => {
  clock = Date.UTC(2026, 10, 25, 12, 0, 0);
  started.length = 0;
  stopped.length = 0;
  fake = new FakeHetzner({ starter: fakeStarter, now: () => clock, actionMs: 2000, readonlyToken: 'read-only-token' });
  api = await fake.start();
});

afterEach(async () => {
  await fake.stop();
});

async function createServer(name: string, extra: Record<string, unknown> = {}): Promise<any> {
  await call('POST', '/ssh_keys', { name: `key-${name}`, public_key: name === 'b' ? KEY_B : KEY_A }).catch(() => undefined);
  return call('POST', '/servers', { name, server_type: 'cx23', image: 'debian-13', location: 'fsn1', ...extra });
}

describe('fake Hetzner API: auth, headers, rate limit', () => {
  it('refuses a missing or wrong token with 401 unauthorized and details null', async () => {
    for (const token of ['', 'wrong']) {
      const r = await call('GET', '/servers', undefined, token);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: { code: 'unauthorized', message: 'unable to authenticate', details: null } });
    }
  });

  it('lets a read-only token GET but not POST (token_readonly)', async () => {
    expect((await call('GET', '/locations', undefined, 'read-only-token')).status).toBe(200);
    const r = await call('POST', '/ssh_keys', { name: 'k', public_key: KEY_A }, 'read-only-token');
    expect([r.status, r.json.error.code]).toEqual([401, 'token_readonly']);
  });

  it('sends JSON, RateLimit-* and X-Correlation-Id on every response, errors included', async () => {
    for (const r of [await call('GET', '/servers'), await call('GET', '/servers/424242'), await call('GET', '/servers', undefined, 'bad')]) {
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('ratelimit-limit')).toBe('3600');
      expect(Number(r.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(clock / 1000));
      expect(r.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{8,}$/);
    }
  });

  it('counts down, answers 429 rate_limit_exceeded when the budget is gone, and refills one per second at 3600/h', async () => {
    const first = Number((await call('GET', '/locations')).headers.get('ratelimit-remaining'));
    const second = Number((await call('GET', '/locations')).headers.get('ratelimit-remaining'));
    expect(second).toBe(first - 1);
    fake.exhaustRateLimit();
    const limited = await call('GET', '/locations');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: { code: 'rate_limit_exceeded', message: 'limit of 3600 requests per hour reached', details: null } });
    expect(Number(limited.headers.get('ratelimit-reset'))).toBe(Math.floor(clock / 1000) + 3600);
    clock += 2000;
    const again = await call('GET', '/locations');
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit-remaining')).toBe('1');
  });

  it('answers 400 json_error to a body that is not JSON', async () => {
    const r = await call('POST', '/ssh_keys', '{"name":');
    expect([r.status, r.json.error.code]).toEqual([400, 'json_error']);
  });
});

describe('fake Hetzner API: lists', () => {
  it('paginates with meta.pagination and a Link header, per_page capped at 50', async () => {
    const page1 = await call('GET', '/server_types?per_page=5');
    expect(page1.json.server_types).toHaveLength(5);
    const total = page1.json.meta.pagination.total_entries;
    expect(page1.json.meta.pagination).toEqual({ page: 1, per_page: 5, previous_page: null, next_page: 2, last_page: Math.ceil(total / 5), total_entries: total });
    expect(page1.headers.get('link')).toContain('rel="next"');
    expect(page1.headers.get('link')).toContain('rel="last"');
    expect(page1.headers.get('link')).not.toContain('rel="prev"');
    const last = await call('GET', `/server_types?per_page=5&page=${Math.ceil(total / 5)}`);
    expect(last.json.meta.pagination.next_page).toBeNull();
    expect(last.headers.get('link')).toContain('rel="prev"');
    const capped = await call('GET', '/server_types?per_page=500');
    expect(capped.json.meta.pagination.per_page).toBe(50);
  });

  it('filters by exact name, repeated id and status, and sorts', async () => {
    expect((await call('GET', '/locations?name=fsn')).json.locations).toEqual([]);
    expect((await call('GET', '/locations?name=fsn1')).json.locations.map((l: any) => l.id)).toEqual([1]);
    expect((await call('GET', '/locations?id=2&id=3')).json.locations.map((l: any) => l.name)).toEqual(['nbg1', 'hel1']);
    expect((await call('GET', '/locations?sort=name:desc&per_page=2')).json.locations.map((l: any) => l.name)).toEqual(['sin', 'nbg1']);
    await createServer('a');
    await createServer('b');
    clock += 10_000;
    await call('POST', `/servers/${(await call('GET', '/servers?name=b')).json.servers[0].id}/actions/poweroff`);
    clock += 10_000;
    expect((await call('GET', '/servers?status=off')).json.servers.map((s: any) => s.name)).toEqual(['b']);
    expect((await call('GET', '/servers?status=running&status=off')).json.servers).toHaveLength(2);
  });

  it('parses the label selector grammar', () => {
    const labels = { env: 'prod', role: 'web', 'homelab-wizard/profile': 'vpai' };
    const cases: [string, boolean][] = [
      ['env=prod', true], ['env==prod', true], ['env!=prod', false], ['env', true], ['!env', false], ['!missing', true],
      ['role in (web,db)', true], ['role notin (web,db)', false], ['env=prod,role in (db)', false], ['homelab-wizard/profile=vpai,env', true],
    ];
    for (const [selector, expected] of cases) expect([selector, matchesSelector(labels, parseLabelSelector(selector))]).toEqual([selector, expected]);
    expect(() => parseLabelSelector('env=(')).toThrow();
  });

  it('filters servers with a URL-encoded label_selector and rejects a bad one with invalid_input', async () => {
    await createServer('a', { labels: { 'homelab-wizard/profile': 'vpai', role: 'web' } });
    await createServer('b', { labels: { 'homelab-wizard/profile': 'other' } });
    const r = await call('GET', `/servers?label_selector=${encodeURIComponent('homelab-wizard/profile=vpai,role in (web)')}`);
    expect(r.json.servers.map((s: any) => s.name)).toEqual(['a']);
    const bad = await call('GET', `/servers?label_selector=${encodeURIComponent('a=(')}`);
    expect([bad.status, bad.json.error.code]).toEqual([422, 'invalid_input']);
  });
});

describe('fake Hetzner API: resources', () => {
  it('stores SSH keys with the MD5 fingerprint of the key blob, as ssh-keygen -E md5 prints it', async () => {
    ensureCommands({ 'ssh-keygen': 'openssh-client' });
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-fp-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'k')]);
      const pub = readFileSync(path.join(dir, 'k.pub'), 'utf8').trim();
      const expected = execFileSync('ssh-keygen', ['-E', 'md5', '-lf', path.join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1]?.replace(/^MD5:/, '');
      expect(md5Fingerprint(pub)).toBe(expected);
      const created = await call('POST', '/ssh_keys', { name: 'laptop', public_key: pub, labels: { owner: 'ops' } });
      expect(created.status).toBe(201);
      expect(Object.keys(created.json.ssh_key).sort()).toEqual(['created', 'fingerprint', 'id', 'labels', 'name', 'public_key']);
      expect(created.json.ssh_key.fingerprint).toBe(expected);
      expect((await call('GET', `/ssh_keys?fingerprint=${expected}`)).json.ssh_keys).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 409 uniqueness_error for a duplicate SSH key name or fingerprint, server, firewall and primary IP name', async () => {
    await call('POST', '/ssh_keys', { name: 'k', public_key: KEY_A });
    const samePrint = await call('POST', '/ssh_keys', { name: 'k2', public_key: KEY_A });
    expect(samePrint.json).toEqual({ error: { code: 'uniqueness_error', message: 'SSH key with the same fingerprint already exists', details: { fields: [{ name: 'public_key' }] } } });
    const sameName = await call('POST', '/ssh_keys', { name: 'k', public_key: KEY_B });
    expect([sameName.status, sameName.json.error.message]).toEqual([409, 'SSH key name is already used']);
    await createServer('web-1');
    expect((await createServer('web-1')).json.error).toMatchObject({ code: 'uniqueness_error', message: 'server name is already used' });
    await call('POST', '/firewalls', { name: 'fw' });
    expect((await call('POST', '/firewalls', { name: 'fw' })).json.error.code).toBe('uniqueness_error');
    await call('POST', '/primary_ips', { name: 'ip', type: 'ipv4', location: 'fsn1' });
    expect((await call('POST', '/primary_ips', { name: 'ip', type: 'ipv4', location: 'fsn1' })).json.error.code).toBe('uniqueness_error');
  });

  it('creates a server: 201 with action, next_actions and root_password, the machine from the starter, status initializing → starting → running', async () => {
    await call('POST', '/ssh_keys', { name: 'operator', public_key: KEY_A });
    const r = await call('POST', '/servers', { name: 'app-prod', server_type: 'cx23', image: 'ubuntu-24.04', location: 'nbg1', ssh_keys: ['operator'], labels: { role: 'app' } });
    expect(r.status).toBe(201);
    expect(Object.keys(r.json).sort()).toEqual(['action', 'next_actions', 'root_password', 'server']);
    expect(r.json.root_password).toBeNull();
    expect(started).toEqual(['app-prod:1']);
    const s = r.json.server;
    expect(s.status).toBe('initializing');
    expect(s.public_net.ipv4.ip).toBe('198.51.100.11');
    expect(s.public_net.ipv6.ip).toMatch(/::\/64$/);
    expect(s).not.toHaveProperty('datacenter');
    expect(Object.keys(s).sort()).toEqual([
      'backup_window', 'created', 'id', 'image', 'included_traffic', 'ingoing_traffic', 'iso', 'labels', 'load_balancers', 'location', 'locked', 'name',
      'outgoing_traffic', 'placement_group', 'primary_disk_size', 'private_net', 'protection', 'public_net', 'rescue_enabled', 'server_type', 'status', 'volumes',
    ]);
    expect(s.location).toEqual({ id: 2, name: 'nbg1', description: 'Nuremberg DC Park 1', country: 'DE', city: 'Nuremberg', latitude: 49.452102, longitude: 11.076665, network_zone: 'eu-central' });
    expect(s.image).toMatchObject({ name: 'ubuntu-24.04', architecture: 'x86', os_flavor: 'ubuntu', type: 'system' });
    expect(r.json.action).toMatchObject({ command: 'create_server', status: 'running', progress: 0, finished: null, error: null, resources: [{ id: s.id, type: 'server' }] });
    expect(r.json.next_actions.map((a: any) => a.command)).toEqual(['start_server']);
    clock += 1000;
    const half = await call('GET', `/actions/${r.json.action.id}`);
    expect(half.json.action).toMatchObject({ status: 'running', progress: 50 });
    clock += 1500;
    expect((await call('GET', `/servers/${s.id}`)).json.server.status).toBe('starting');
    const done = await call('GET', `/actions/${r.json.action.id}`);
    expect(done.json.action).toMatchObject({ status: 'success', progress: 100, finished: '2026-11-25T12:00:02Z' });
    clock += 2000;
    expect((await call('GET', `/servers/${s.id}`)).json.server.status).toBe('running');
    expect((await call('GET', `/actions?id=${r.json.action.id}&id=${r.json.next_actions[0].id}`)).json.actions.map((a: any) => a.status)).toEqual(['success', 'success']);
  });

  it('returns a root password when no SSH key is given', async () => {
    const r = await createServer('nokey');
    expect(typeof r.json.root_password).toBe('string');
  });

  it('validates the create request with invalid_input naming the field', async () => {
    const noType = await call('POST', '/servers', { name: 'x', image: 'debian-13' });
    expect(noType.json).toEqual({ error: { code: 'invalid_input', message: "invalid input in field 'server_type': is required", details: { fields: [{ name: 'server_type', messages: ['is required'] }] } } });
    expect((await call('POST', '/servers', { name: 'bad_name!', server_type: 'cx23', image: 'debian-13' })).json.error.details.fields[0].name).toBe('name');
    expect((await call('POST', '/servers', { name: 'x', server_type: 'cx23', image: 'debian-13', location: 'fsn1', datacenter: 'fsn1-dc14' })).status).toBe(422);
    const arm = await call('POST', '/servers', { name: 'pi', server_type: 'cax11', image: 'debian-13', location: 'fsn1' });
    expect(arm.json.server.image.architecture).toBe('arm');
    const deprecated = await call('POST', '/servers', { name: 'old', server_type: 'cx22', image: 'debian-13', location: 'fsn1' });
    expect([deprecated.status, deprecated.json.error.code]).toEqual([412, 'resource_unavailable']);
  });

  it('deletes a server with 200 and a delete action, stops the machine, frees its auto-delete primary IP', async () => {
    const created = await createServer('gone');
    const id = created.json.server.id;
    const r = await call('DELETE', `/servers/${id}`);
    expect(r.status).toBe(200);
    expect(r.json.action.command).toBe('delete_server');
    expect(stopped).toEqual(['gone']);
    expect((await call('GET', `/servers/${id}`)).json.server.status).toBe('deleting');
    clock += 3000;
    const missing = await call('GET', `/servers/${id}`);
    expect([missing.status, missing.json.error.code]).toEqual([404, 'not_found']);
    expect((await call('GET', '/primary_ips')).json.primary_ips).toEqual([]);
  });

  it('deletes SSH keys, firewalls and primary IPs with 204 and no body', async () => {
    const key = await call('POST', '/ssh_keys', { name: 'k', public_key: KEY_A });
    const fw = await call('POST', '/firewalls', { name: 'fw' });
    const ip = await call('POST', '/primary_ips', { name: 'ip', type: 'ipv4', location: 'fsn1', auto_delete: false });
    for (const p of [`/ssh_keys/${key.json.ssh_key.id}`, `/firewalls/${fw.json.firewall.id}`, `/primary_ips/${ip.json.primary_ip.id}`]) {
      const r = await call('DELETE', p);
      expect([p, r.status, r.text]).toEqual([p, 204, '']);
    }
  });

  it('applies firewalls through actions: pending until apply_firewall succeeds, then applied; refuses to delete one in use', async () => {
    const s = (await createServer('web')).json.server;
    const fw = await call('POST', '/firewalls', {
      name: 'web', labels: { role: 'web' },
      rules: [{ direction: 'in', protocol: 'tcp', port: '443', source_ips: ['0.0.0.0/0', '::/0'], description: 'HTTPS' }],
      apply_to: [{ type: 'server', server: { id: s.id } }],
    });
    expect(fw.status).toBe(201);
    expect(fw.json.actions.map((a: any) => a.command)).toEqual(['set_firewall_rules', 'apply_firewall']);
    expect(fw.json.firewall.rules[0]).toEqual({ direction: 'in', protocol: 'tcp', port: '443', source_ips: ['0.0.0.0/0', '::/0'], destination_ips: [], description: 'HTTPS' });
    expect((await call('GET', `/servers/${s.id}`)).json.server.public_net.firewalls).toEqual([{ id: fw.json.firewall.id, status: 'pending' }]);
    clock += 2500;
    expect((await call('GET', `/servers/${s.id}`)).json.server.public_net.firewalls).toEqual([{ id: fw.json.firewall.id, status: 'applied' }]);
    const inUse = await call('DELETE', `/firewalls/${fw.json.firewall.id}`);
    expect([inUse.status, inUse.json.error.code]).toEqual([422, 'resource_in_use']);
    const rules = await call('POST', `/firewalls/${fw.json.firewall.id}/actions/set_rules`, { rules: [] });
    expect(rules.status).toBe(201);
    expect((await call('GET', `/firewalls/${fw.json.firewall.id}`)).json.firewall.rules).toEqual([]);
    const badRule = await call('POST', `/firewalls/${fw.json.firewall.id}/actions/set_rules`, { rules: [{ direction: 'in', protocol: 'tcp', source_ips: ['0.0.0.0/0'] }] });
    expect(badRule.json.error.details.fields[0].name).toBe('rules[0].port');
    const removed = await call('POST', `/firewalls/${fw.json.firewall.id}/actions/remove_from_resources`, { remove_from: [{ type: 'server', server: { id: s.id } }] });
    expect(removed.json.actions[0].command).toBe('remove_firewall');
    clock += 2500;
    expect((await call('DELETE', `/firewalls/${fw.json.firewall.id}`)).status).toBe(204);
  });

  it('resolves a label_selector firewall target to the matching servers', async () => {
    const s = (await createServer('lab', { labels: { role: 'web' } })).json.server;
    const fw = await call('POST', '/firewalls', { name: 'by-label', apply_to: [{ type: 'label_selector', label_selector: { selector: 'role=web' } }] });
    expect(fw.json.firewall.applied_to).toEqual([{ type: 'label_selector', label_selector: { selector: 'role=web' }, applied_to_resources: [{ type: 'server', server: { id: s.id } }] }]);
  });

  it('keeps a primary IP across servers: assign needs a stopped server, delete needs it unassigned', async () => {
    const ip = (await call('POST', '/primary_ips', { name: 'stable', type: 'ipv4', location: 'fsn1', auto_delete: false })).json.primary_ip;
    expect(ip).toMatchObject({ assignee_id: null, assignee_type: 'unassigned', auto_delete: false, type: 'ipv4' });
    const s = (await createServer('keeper', { public_net: { enable_ipv4: true, enable_ipv6: false, ipv4: ip.id } })).json.server;
    expect(s.public_net.ipv4.ip).toBe('198.51.100.11');
    expect((await call('GET', `/primary_ips/${ip.id}`)).json.primary_ip).toMatchObject({ assignee_id: s.id, assignee_type: 'server' });
    expect((await call('DELETE', `/primary_ips/${ip.id}`)).json.error.code).toBe('must_be_unassigned');
    const other = (await createServer('other')).json.server;
    clock += 5000;
    const assign = await call('POST', `/primary_ips/${ip.id}/actions/assign`, { assignee_id: other.id, assignee_type: 'server' });
    expect([assign.status, assign.json.error.code]).toEqual([422, 'server_not_stopped']);
  });

  it('serves locations, server types (prices as strings, availability per location) and per-architecture images', async () => {
    const loc = (await call('GET', '/locations')).json.locations;
    expect(loc.map((l: any) => l.name)).toEqual(['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin']);
    const cx22 = (await call('GET', '/server_types?name=cx22')).json.server_types[0];
    expect(cx22).toMatchObject({ id: 104, deprecated: true, deprecation: { announced: '2025-10-16T06:00:00Z', unavailable_after: '2025-12-31T23:59:59Z' } });
    const cx23 = (await call('GET', '/server_types/cx23')).json.server_type;
    expect(typeof cx23.prices[0].price_monthly.net).toBe('string');
    expect(cx23.locations[0]).toEqual({ id: 1, name: 'fsn1', deprecation: null, available: true, recommended: true });
    const images = (await call('GET', '/images?name=ubuntu-24.04')).json.images;
    expect(images.map((i: any) => i.architecture).sort()).toEqual(['arm', 'x86']);
    expect((await call('GET', '/images?name=ubuntu-24.04&architecture=arm')).json.images).toHaveLength(1);
  });

  it('answers GET /actions without id with 410 deprecated_api_endpoint and an announcement', async () => {
    const r = await call('GET', '/actions');
    expect(r.status).toBe(410);
    expect(r.json.error.code).toBe('deprecated_api_endpoint');
    expect(r.json.error.details.announcement).toMatch(/^https:\/\/docs\.hetzner\.cloud\/changelog#/);
  });

  it('emits the legacy datacenter object only when asked', async () => {
    await fake.stop();
    fake = new FakeHetzner({ now: () => clock, legacyDatacenter: true });
    api = await fake.start();
    const s = (await call('POST', '/servers', { name: 'legacy', server_type: 'cx23', image: 'debian-12', location: 'fsn1' })).json.server;
    expect(s.datacenter).toMatchObject({ name: 'fsn1-dc14', location: { name: 'fsn1' } });
    expect(s.location.name).toBe('fsn1');
  });
});

describe('fake Hetzner API: fault switches', () => {
  it.each([
    ['rate-limit', 429, 'rate_limit_exceeded', null],
    ['server-error', 500, 'server_error', null],
    ['unavailable', 503, 'unavailable', {}],
    ['timeout', 504, 'timeout', null],
    ['locked', 423, 'locked', {}],
    ['conflict', 409, 'conflict', {}],
    ['limit-exceeded', 403, 'resource_limit_exceeded', { limits: [{ name: 'server_limit' }] }],
  ] as const)('%s: the next matching request fails with %i %s, then it works again', async (kind, status, code, details) => {
    fake.inject({ kind, method: 'GET', path: '/servers' });
    const r = await call('GET', '/servers');
    expect([r.status, r.json.error.code, r.json.error.details]).toEqual([status, code, details]);
    expect(r.headers.get('ratelimit-limit')).toBe('3600');
    expect((await call('GET', '/locations')).status).toBe(200);
    expect((await call('GET', '/servers')).status).toBe(200);
  });

  it('resource-unavailable: server create fails with 412 "error during placement" and details {}', async () => {
    fake.inject({ kind: 'resource-unavailable' });
    const r = await createServer('placed');
    expect(r.json).toEqual({ error: { code: 'resource_unavailable', message: 'error during placement', details: {} } });
    expect(started).toEqual([]);
    expect((await createServer('placed')).status).toBe(201);
  });

  it('action-error: the next action ends in status error with action_failed', async () => {
    fake.inject({ kind: 'action-error', path: 'create_server' });
    const r = await createServer('broken');
    clock += 3000;
    const a = (await call('GET', `/actions/${r.json.action.id}`)).json.action;
    expect(a).toMatchObject({ status: 'error', progress: 100, error: { code: 'action_failed', message: 'Action failed' } });
    expect((await call('GET', `/servers/${r.json.server.id}`)).json.server.status).toBe('initializing');
  });

  it('slow actions: a longer action time keeps actions running', async () => {
    fake.actionMs = 60_000;
    const r = await createServer('slow');
    clock += 30_000;
    expect((await call('GET', `/actions/${r.json.action.id}`)).json.action).toMatchObject({ status: 'running', progress: 50 });
    clock += 30_000;
    expect((await call('GET', `/actions/${r.json.action.id}`)).json.action.status).toBe('success');
  });
});
