import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Secret } from '../../src/lib/secret.js';
import { HcloudClient } from '../../src/providers/hetzner/client.js';
import { cloudInitUserData } from '../../src/providers/hetzner/cloud-init.js';
import { desiredServers, firewallRulesFor, planCloud, HOST_LABEL, PROFILE_LABEL } from '../../src/providers/hetzner/cloud-plan.js';
import { HcloudError } from '../../src/providers/hetzner/errors.js';
import type { HcloudServer } from '../../src/providers/hetzner/types.js';
import { validExample } from '../helpers/profiles.js';

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/** A scripted fetch: each call takes the next reply and records the request. */
function scripted(replies: Reply[]) {
  const calls: { method: string; url: string; auth: string | null }[] = [];
  const fetchStub = (async (url: string, init: RequestInit) => {
    calls.push({ method: init.method ?? 'GET', url, auth: new Headers(init.headers).get('authorization') });
    const r = replies.shift();
    if (!r) throw new Error('no scripted reply left');
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status, headers: r.headers ?? {} });
  }) as unknown as typeof fetch;
  return { fetchStub, calls };
}

function client(replies: Reply[], now = 1_700_000_000_000) {
  const { fetchStub, calls } = scripted(replies);
  const waits: number[] = [];
  const messages: string[] = [];
  const c = new HcloudClient({
    endpoint: 'http://127.0.0.1:1/v1/',
    token: Secret.of('t0ken'),
    fetch: fetchStub,
    sleep: async (ms) => void waits.push(ms),
    now: () => now,
    onWait: (m) => messages.push(m),
  });
  return { c, calls, waits, messages };
}

const err = (status: number, code: string, details: unknown = null): Reply => ({ status, body: { error: { code, message: code.replace(/_/g, ' '), details } } });

describe('Hetzner client', () => {
  it('sends the token as a bearer and follows pagination', async () => {
    const { c, calls } = client([
      { status: 200, body: { servers: [{ id: 1 }], meta: { pagination: { page: 1, next_page: 2 } } } },
      { status: 200, body: { servers: [{ id: 2 }], meta: { pagination: { page: 2, next_page: null } } } },
    ]);
    expect(await c.list('/servers', 'servers', { label_selector: 'a=b' })).toEqual([{ id: 1 }, { id: 2 }]);
    expect(calls.map((x) => x.url)).toEqual(['http://127.0.0.1:1/v1/servers?label_selector=a%3Db&page=1&per_page=50', 'http://127.0.0.1:1/v1/servers?label_selector=a%3Db&page=2&per_page=50']);
    expect(calls[0]?.auth).toBe('Bearer t0ken');
  });

  it('waits until RateLimit-Reset on a 429, then retries', async () => {
    const now = 1_700_000_000_000;
    const { c, waits, messages } = client([{ ...err(429, 'rate_limit_exceeded'), headers: { 'ratelimit-reset': String(now / 1000 + 7) } }, { status: 200, body: { ok: 1 } }], now);
    expect(await c.request('GET', '/locations')).toEqual({ ok: 1 });
    expect(waits).toEqual([7000]);
    expect(messages[0]).toMatch(/rate limit reached; waiting 7 s/);
  });

  it('retries 5xx with exponential backoff, and gives up with a typed error', async () => {
    const { c, waits } = client([err(503, 'unavailable'), err(502, 'bad_gateway'), { status: 200, body: {} }]);
    await c.request('GET', '/x');
    expect(waits).toEqual([1000, 2000]);
    const failing = client(Array.from({ length: 6 }, () => err(500, 'server_error')));
    await expect(failing.c.request('GET', '/x')).rejects.toBeInstanceOf(HcloudError);
  });

  it('does not retry locked or uniqueness errors, and accepts details null, {} or an object', async () => {
    for (const details of [null, {}, { fields: [{ name: 'name' }] }]) {
      const { c, calls } = client([err(409, 'uniqueness_error', details)]);
      await expect(c.request('POST', '/servers', {})).rejects.toMatchObject({ apiCode: 'uniqueness_error', status: 409, details });
      expect(calls).toHaveLength(1);
    }
  });

  it('polls an action until it succeeds, and reports an action error', async () => {
    const running = { id: 5, command: 'create_server', status: 'running', progress: 0, error: null };
    const { c, waits } = client([{ status: 200, body: { action: { ...running, progress: 50 } } }, { status: 200, body: { action: { ...running, status: 'success', progress: 100 } } }]);
    expect((await c.waitForAction(running as never)).status).toBe('success');
    expect(waits).toEqual([500, 1000]);
    const failed = client([{ status: 200, body: { action: { ...running, status: 'error', error: { code: 'action_failed', message: 'no space' } } } }]);
    await expect(failed.c.waitForAction(running as never)).rejects.toThrow(/failed: no space/);
  });
});

const profile = () => validExample('vpai');

const server = (host: string, over: Partial<HcloudServer> = {}): HcloudServer => ({
  id: 42, name: `vpai-${host}`, status: 'running', labels: { [PROFILE_LABEL]: 'vpai', [HOST_LABEL]: host },
  public_net: { ipv4: { ip: '203.0.113.50' }, ipv6: null }, server_type: { name: 'cx23' }, location: { name: 'fsn1' }, image: { name: 'ubuntu-24.04' }, ...over,
});

describe('cloud plan', () => {
  const p = profile();
  const desired = desiredServers(p);

  it('wants one labelled server and firewall per Hetzner host', () => {
    expect(desired.map((d) => [d.host, d.name, d.serverType, d.location])).toEqual([['app-prod', 'vpai-app-prod', 'cx23', 'fsn1']]);
    expect(desired[0]?.labels).toEqual({ 'homelab-wizard/profile': 'vpai', 'homelab-wizard/host': 'app-prod' });
  });

  it('opens SSH on both ports and only what the host serves', () => {
    const rules = firewallRulesFor(p, p.hosts.find((h) => h.name === 'app-prod')!);
    expect(rules.map((r) => `${r.protocol}/${r.port}`)).toEqual(['tcp/22', 'udp/41641']);
    const ai = firewallRulesFor(p, p.hosts.find((h) => h.name === 'sese-ai')!);
    expect(ai.map((r) => `${r.protocol}/${r.port}`)).toEqual(['tcp/22', 'tcp/804', 'udp/41641']);
  });

  it('creates what is missing and is a no-op when everything exists: a rerun never duplicates', () => {
    expect(planCloud('vpai', desired, { servers: [], firewalls: [] }).map((c) => `${c.action} ${c.what}`)).toEqual(['create firewall', 'create server']);
    const fw = { id: 7, name: 'vpai-app-prod', labels: { [PROFILE_LABEL]: 'vpai', [HOST_LABEL]: 'app-prod' }, rules: desired[0]!.firewall.rules, applied_to: [] };
    const attached = server('app-prod', { public_net: { ipv4: { ip: '203.0.113.50' }, ipv6: null, firewalls: [{ id: 7, status: 'applied' }] } });
    expect(planCloud('vpai', desired, { servers: [attached], firewalls: [fw] }).map((c) => c.action)).toEqual(['noop', 'noop']);
    // A run killed between creating the firewall and the server: the firewall is attached on the rerun.
    expect(planCloud('vpai', desired, { servers: [server('app-prod')], firewalls: [fw] })[0]).toMatchObject({ action: 'update', what: 'firewall', reason: 'not applied to vpai-app-prod' });
  });

  it('reports drift instead of rebuilding, and deletes only labelled servers no longer in the profile', () => {
    const changes = planCloud('vpai', desired, { servers: [server('app-prod', { server_type: { name: 'cx33' } }), server('old', { id: 9 })], firewalls: [] });
    expect(changes.find((c) => c.what === 'server' && c.host === 'app-prod')).toMatchObject({ action: 'drift', reason: expect.stringMatching(/type cx33 \(profile: cx23\)/) });
    expect(changes.find((c) => c.host === 'old')).toMatchObject({ action: 'delete', id: 9 });
    expect(planCloud('vpai', desired, { servers: [server('app-prod', { labels: { [PROFILE_LABEL]: 'other', [HOST_LABEL]: 'app-prod' } })], firewalls: [] }).find((c) => c.what === 'server')?.action).toBe('create');
  });
});

describe('cloud-init', () => {
  it('installs only the pinned host key, as #cloud-config YAML, and stays secret', () => {
    const data = cloudInitUserData({ privateKey: Secret.of('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----'), publicKey: 'ssh-ed25519 AAAAC3 host' });
    expect(String(data)).toBe('[redacted]');
    const text = data.reveal();
    expect(text.split('\n')[0]).toBe('#cloud-config');
    expect(parse(text)).toEqual({
      ssh_deletekeys: true,
      ssh_genkeytypes: [],
      ssh_keys: { ed25519_private: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n', ed25519_public: 'ssh-ed25519 AAAAC3 host' },
    });
  });
});
