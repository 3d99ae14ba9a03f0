import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DNS_RULES, FakeOvh, ovhSignature } from './fake-ovh.js';

/** Contract tests of the fake OVH API against apis.md §3 (signing vectors from go-ovh's tests). */
describe('OVH request signature', () => {
  const AS = '9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk';
  const CK = '5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY';
  const TS = 1457018875;
  it.each([
    ['GET', 'https://eu.api.ovh.com/1.0/auth', '', '$1$e9556054b6309771395efa467c22e627407461ad'],
    ['POST', 'https://eu.api.ovh.com/1.0/auth', '{"a":"b","c":"d"}', '$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1'],
    ['PUT', 'https://eu.api.ovh.com/1.0/auth', '{"a":"b","c":"d"}', '$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b'],
    ['DELETE', 'https://eu.api.ovh.com/1.0/auth', '', '$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85'],
    ['GET', 'https://eu.api.ovh.com/1.0/authTO', '', '$1$1f0958be70f095ddaba525778a9ac1dcffac89f3'],
    ['GET', 'https://eu.api.ovh.com/1.0/call', '', '$1$7f2db49253edfc41891023fcd1a54cf61db05fbb'],
    ['GET', 'https://eu.api.ovh.com/v1/call', '', '$1$e6e7906d385eb28adcbfbe6b66c1528a42d741ad'],
  ])('%s %s matches the go-ovh test vector', (method, url, body, expected) => {
    expect(ovhSignature(AS, CK, method, url, body, TS)).toBe(expected);
  });
});

let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
let fake: FakeOvh;
let endpoint: string;
let ck: string;

/** A small signed client, as go-ovh builds requests: the signed URL is exactly the URL sent. */
async function ovh(method: string, p: string, body?: unknown, options: { consumer?: string; timestamp?: number; tamper?: boolean } = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const url = `${endpoint}${p}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const consumer = options.consumer ?? ck;
  const ts = options.timestamp ?? Math.floor(clock / 1000);
  const signature = ovhSignature(fake.appSecret, consumer, method, url, options.tamper ? `${text} ` : text, ts);
  const response = await fetch(url, {
    method,
    headers: {
      'X-Ovh-Application': fake.appKey, 'X-Ovh-Consumer': consumer, 'X-Ovh-Timestamp': String(ts), 'X-Ovh-Signature': signature,
      Accept: 'application/json', ...(text ? { 'Content-Type': 'application/json;charset=utf-8' } : {}),
    },
    ...(text ? { body: text } : {}),
  });
  const raw = await response.text();
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text: raw, headers: response.headers };
}

beforeEach(async () => {
  clock = Date.UTC(2026, 10, 25, 12, 0, 0);
  fake = new FakeOvh({ now: () => clock, maxTimestampDriftSeconds: 300 });
  endpoint = await fake.start();
  ck = fake.addConsumer();
  fake.addZone('example.com', [{ fieldType: 'A', subDomain: '', target: '203.0.113.10', ttl: 0 }]);
});

afterEach(async () => {
  await fake.stop();
});

describe('fake OVH API', () => {
  it('answers GET /auth/time unauthenticated with a bare integer, skew included', async () => {
    const r = await fetch(`${endpoint}/auth/time`);
    expect(await r.text()).toBe(String(Math.floor(clock / 1000)));
    await fake.stop();
    fake = new FakeOvh({ now: () => clock, skewSeconds: 42 });
    endpoint = await fake.start();
    expect(Number(await (await fetch(`${endpoint}/auth/time`)).text())).toBe(Math.floor(clock / 1000) + 42);
  });

  it('sends X-Ovh-QueryID on every response', async () => {
    expect((await fetch(`${endpoint}/auth/time`)).headers.get('x-ovh-queryid')).toMatch(/^FR\.ws-8\./);
    expect((await ovh('GET', '/domain/zone/nope.example/record')).headers.get('x-ovh-queryid')).toMatch(/^FR\.ws-8\./);
  });

  it('verifies signatures: a tampered body is INVALID_SIGNATURE (400)', async () => {
    const r = await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'TXT', subDomain: '_acme-challenge', target: 'x', ttl: 60 }, { tamper: true });
    expect([r.status, r.json]).toEqual([400, { errorCode: 'INVALID_SIGNATURE', httpCode: '400 Bad Request', message: 'Invalid signature' }]);
    expect(fake.staged('example.com')).toHaveLength(1);
  });

  it('signs the query string too: filters change the signature', async () => {
    const url = `${endpoint}/domain/zone/example.com/record?fieldType=A`;
    const ts = Math.floor(clock / 1000);
    const signedWithout = ovhSignature(fake.appSecret, ck, 'GET', `${endpoint}/domain/zone/example.com/record`, '', ts);
    const r = await fetch(url, { headers: { 'X-Ovh-Application': fake.appKey, 'X-Ovh-Consumer': ck, 'X-Ovh-Timestamp': String(ts), 'X-Ovh-Signature': signedWithout } });
    expect(r.status).toBe(400);
  });

  it('refuses an unknown consumer key (NOT_CREDENTIAL), a call outside its rights (Client::Forbidden) and an old timestamp', async () => {
    const unknown = await ovh('GET', '/domain/zone/example.com/record', undefined, { consumer: 'not-a-consumer-key' });
    expect([unknown.status, unknown.json]).toEqual([403, { errorCode: 'NOT_CREDENTIAL', httpCode: '403 Forbidden', message: 'This credential does not exist' }]);
    const readOnly = fake.addConsumer([{ method: 'GET', path: '/domain/zone/*' }, { method: 'GET', path: '/domain/zone/*/record' }]);
    const denied = await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'A', target: '203.0.113.1' }, { consumer: readOnly });
    expect([denied.status, denied.json]).toEqual([403, { class: 'Client::Forbidden', message: 'This call has not been granted' }]);
    const stale = await ovh('GET', '/domain/zone/example.com/record', undefined, { timestamp: Math.floor(clock / 1000) - 3600 });
    expect([stale.status, stale.json.errorCode]).toEqual([400, 'QUERY_TIME_OUT']);
  });

  it('creates, lists (IDs only, like-filters), reads, updates and deletes records; nothing is published before refresh', async () => {
    const created = await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'A', subDomain: 'web-1', target: '203.0.113.10', ttl: 300 });
    expect(created.status).toBe(200);
    expect(Object.keys(created.json).sort()).toEqual(['fieldType', 'id', 'subDomain', 'target', 'ttl', 'zone']);
    expect(created.json).toMatchObject({ zone: 'example.com', subDomain: 'web-1', fieldType: 'A', target: '203.0.113.10', ttl: 300 });
    const id = created.json.id as number;
    expect(Number.isSafeInteger(id) && id > 1_000_000).toBe(true);
    expect((await ovh('GET', '/domain/zone/example.com/record?fieldType=A&subDomain=web-1')).json).toEqual([id]);
    expect((await ovh('GET', '/domain/zone/example.com/record?subDomain=web%25')).json).toEqual([id]);
    expect((await ovh('GET', `/domain/zone/example.com/record/${id}`)).json.target).toBe('203.0.113.10');
    expect(fake.published('example.com').map((r) => r.subDomain)).toEqual(['']);
    const put = await ovh('PUT', `/domain/zone/example.com/record/${id}`, { target: '203.0.113.11', ttl: 300 });
    expect([put.status, put.text]).toEqual([200, 'null']);
    const refresh = await ovh('POST', '/domain/zone/example.com/refresh');
    expect([refresh.status, refresh.text]).toEqual([200, 'null']);
    expect(fake.refreshCount('example.com')).toBe(1);
    expect(fake.published('example.com').find((r) => r.id === id)?.target).toBe('203.0.113.11');
    const del = await ovh('DELETE', `/domain/zone/example.com/record/${id}`);
    expect([del.status, del.text]).toEqual([200, 'null']);
    expect(fake.published('example.com').some((r) => r.id === id)).toBe(true);
    await ovh('POST', '/domain/zone/example.com/refresh');
    expect(fake.published('example.com').some((r) => r.id === id)).toBe(false);
  });

  it('answers 404 Client::NotFound for an unknown zone or record, and 400 for bad input', async () => {
    const zone = await ovh('GET', '/domain/zone/nope.example/record');
    expect([zone.status, zone.json.class]).toEqual([404, 'Client::NotFound']);
    expect((await ovh('GET', '/domain/zone/example.com/record/1')).json.class).toBe('Client::NotFound');
    expect((await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'TXT', target: 'x', ttl: 30 })).json.class).toBe('Client::BadRequest');
    expect((await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'CNAME', target: 'x.example.com.' })).status).toBe(400);
    const created = await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'A', subDomain: 'a', target: '203.0.113.1' });
    expect((await ovh('PUT', `/domain/zone/example.com/record/${created.json.id}`, { fieldType: 'AAAA' })).status).toBe(400);
  });

  it('fault: id-zero reproduces the POST id=0 quirk (the record exists under its real id)', async () => {
    fake.inject({ kind: 'id-zero' });
    const r = await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'TXT', subDomain: '_acme-challenge', target: 'token', ttl: 60 });
    expect(r.json.id).toBe(0);
    const ids = (await ovh('GET', '/domain/zone/example.com/record?fieldType=TXT&subDomain=_acme-challenge')).json;
    expect(ids).toHaveLength(1);
    expect(ids[0]).toBeGreaterThan(0);
  });

  it('fault: not-found-after-create answers 404 once for a new record, then the record', async () => {
    fake.inject({ kind: 'not-found-after-create' });
    const r = await ovh('POST', '/domain/zone/example.com/record', { fieldType: 'A', subDomain: 'late', target: '203.0.113.5' });
    expect((await ovh('GET', `/domain/zone/example.com/record/${r.json.id}`)).status).toBe(404);
    expect((await ovh('GET', `/domain/zone/example.com/record/${r.json.id}`)).status).toBe(200);
  });

  it.each([
    ['server-error', 500, { class: 'Server::InternalServerError', message: 'Internal server error' }],
    ['rate-limit', 429, { class: 'Client::TooManyRequests', message: 'Too much requests' }],
  ] as const)('fault: %s answers %i once', async (kind, status, body) => {
    fake.inject({ kind });
    const r = await ovh('GET', '/domain/zone/example.com/record');
    expect([r.status, r.json]).toEqual([status, body]);
    expect((await ovh('GET', '/domain/zone/example.com/record')).status).toBe(200);
  });

  it('fault: unavailable answers an HTML 503 (a non-JSON error body)', async () => {
    fake.inject({ kind: 'unavailable' });
    const r = await ovh('GET', '/domain/zone/example.com/record');
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.text).toMatch(/503 Service Unavailable/);
  });

  it('fault: invalid-signature rejects a correctly signed request once (for re-sync of /auth/time)', async () => {
    fake.inject({ kind: 'invalid-signature' });
    expect((await ovh('GET', '/domain/zone/example.com/record')).json.errorCode).toBe('INVALID_SIGNATURE');
    expect((await ovh('GET', '/domain/zone/example.com/record')).status).toBe(200);
  });

  it('grants the libdns/ovh DNS-01 rights by default', () => {
    expect(DNS_RULES.map((r) => `${r.method} ${r.path}`)).toContain('POST /domain/zone/*/refresh');
  });
});
