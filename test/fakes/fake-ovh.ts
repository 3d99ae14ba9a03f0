import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * STAND-IN for the OVH API (https://eu.api.ovh.com/1.0) on 127.0.0.1 (or the given IPv4 address), following apis.md §3.8:
 * GET /auth/time, real request-signature checking ($1$ + SHA1 of AS+CK+METHOD+URL+BODY+TS),
 * consumer keys with access rules, DNS zone records CRUD with staged vs published state (refresh),
 * the two error shapes (class/message and errorCode/httpCode), X-Ovh-QueryID on every response,
 * and fault switches (5xx, 429, invalid signature, the id=0 quirk of POST record, a record that
 * answers 404 right after creation).
 */

/** The OVH signature: "$1$" + hex(SHA1(AS + "+" + CK + "+" + METHOD + "+" + URL + "+" + BODY + "+" + TS)). */
export function ovhSignature(appSecret: string, consumerKey: string, method: string, url: string, body: string, timestamp: number | string): string {
  return `$1$${createHash('sha1').update([appSecret, consumerKey, method.toUpperCase(), url, body, String(timestamp)].join('+')).digest('hex')}`;
}

export interface AccessRule {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/domain/zone/*` style; `*` matches any run of characters. */
  readonly path: string;
}

export interface ZoneRecord {
  id: number;
  zone: string;
  subDomain: string;
  fieldType: string;
  target: string;
  ttl: number;
}

export type OvhFaultKind = 'server-error' | 'unavailable' | 'rate-limit' | 'invalid-signature' | 'id-zero' | 'not-found-after-create';

export interface OvhFault {
  readonly kind: OvhFaultKind;
  readonly method?: string;
  readonly path?: string;
  times?: number;
}

export interface FakeOvhOptions {
  /** IPv4 address to listen on (127.0.0.1 by default): a Docker bridge gateway lets sandbox servers reach the fake. */
  readonly address?: string;
  /** Seconds added to the server clock (GET /auth/time and the timestamp check). */
  readonly skewSeconds?: number;
  /** Reject timestamps further than this from the server clock (off when undefined). */
  readonly maxTimestampDriftSeconds?: number;
  /** HTTP status of an invalid signature (400 as one fake does; the real status is not verified). */
  readonly invalidSignatureStatus?: number;
  readonly now?: () => number;
}

interface ZoneState {
  staged: ZoneRecord[];
  published: ZoneRecord[];
  refreshes: number;
  serial: number;
}

const FIELD_TYPES = ['A', 'AAAA', 'CAA', 'CNAME', 'DKIM', 'DMARC', 'LOC', 'MX', 'NAPTR', 'NS', 'PTR', 'SPF', 'SRV', 'SSHFP', 'TLSA', 'TXT'];

class OvhError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : 'error');
  }
}

const classError = (status: number, cls: string, message: string): OvhError => new OvhError(status, { class: cls, message });
const authError = (status: number, code: string, message: string): OvhError =>
  new OvhError(status, { errorCode: code, httpCode: `${status} ${status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : 'Forbidden'}`, message });

/** SQL LIKE as OVH's "(like)" filters: % any run, _ one character, case-insensitive. */
function like(value: string, pattern: string): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${re}$`, 'i').test(value);
}

function ruleMatches(rule: AccessRule, method: string, path: string): boolean {
  if (rule.method !== method) return false;
  const re = rule.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${re}$`).test(path);
}

export class FakeOvh {
  readonly appKey: string;
  readonly appSecret: string;
  private readonly consumers = new Map<string, AccessRule[]>();
  private readonly zones = new Map<string, ZoneState>();
  private readonly faults: OvhFault[] = [];
  private readonly options: FakeOvhOptions;
  private readonly now: () => number;
  private http: Server | undefined;
  private port = 0;
  private nextId = 5_226_221_000;
  private queryCounter = 0;
  /** Every request as `METHOD /path?query`, for tests. */
  readonly requests: string[] = [];

  constructor(options: FakeOvhOptions = {}) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.appKey = randomBytes(8).toString('hex');
    this.appSecret = randomBytes(16).toString('hex');
  }

  get address(): string {
    return this.options.address ?? '127.0.0.1';
  }

  get endpoint(): string {
    return `http://${this.address}:${this.port}/1.0`;
  }

  async start(): Promise<string> {
    const http = createServer((req, res) => void this.handle(req, res));
    this.http = http;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, this.address, () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.port = (this.http.address() as AddressInfo).port;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http?.closeAllConnections();
  }

  /** A consumer key allowed to make the given calls (the libdns/ovh rights by default). */
  addConsumer(rules: readonly AccessRule[] = DNS_RULES, consumerKey = randomBytes(16).toString('hex')): string {
    this.consumers.set(consumerKey, [...rules]);
    return consumerKey;
  }

  addZone(name: string, records: readonly Omit<ZoneRecord, 'id' | 'zone'>[] = []): void {
    const rows = records.map((r) => ({ ...r, id: this.nextId++, zone: name }));
    this.zones.set(name, { staged: rows.map((r) => ({ ...r })), published: rows.map((r) => ({ ...r })), refreshes: 0, serial: 2026112500 });
  }

  /** The zones this account holds, sorted. */
  zoneNames(): string[] {
    return [...this.zones.keys()].sort();
  }

  /** The zone's SOA serial (OVH raises it on every refresh). */
  serial(zone: string): number | undefined {
    return this.zones.get(zone)?.serial;
  }

  /**
   * A record as if created through the API and then published by a refresh (what the tool's DNS
   * step leaves behind), for test set-up. Other staged changes are published with it, as a refresh would.
   */
  addPublishedRecord(zone: string, record: Omit<ZoneRecord, 'id' | 'zone'>): ZoneRecord {
    const state = this.zones.get(zone);
    if (!state) throw new Error(`fake-ovh: no zone ${zone} (addZone it first)`);
    const row: ZoneRecord = { ...record, id: this.nextId++, zone };
    state.staged.push(row);
    state.published = structuredClone(state.staged);
    state.serial += 1;
    return structuredClone(row);
  }

  /** What resolvers would see: the records as of the last refresh. */
  published(zone: string): ZoneRecord[] {
    return structuredClone(this.zones.get(zone)?.published ?? []);
  }

  staged(zone: string): ZoneRecord[] {
    return structuredClone(this.zones.get(zone)?.staged ?? []);
  }

  refreshCount(zone: string): number {
    return this.zones.get(zone)?.refreshes ?? 0;
  }

  inject(fault: OvhFault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  private takeFault(kind: OvhFaultKind, method: string, path: string): boolean {
    const fault = this.faults.find((f) => f.kind === kind && (!f.method || f.method === method) && (!f.path || path.startsWith(f.path)));
    if (!fault) return false;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return true;
  }

  private serverTime(): number {
    return Math.floor(this.now() / 1000) + (this.options.skewSeconds ?? 0);
  }

  private queryId(): string {
    this.queryCounter += 1;
    return `FR.ws-8.${randomBytes(4).toString('hex')}.${process.pid}.${this.queryCounter.toString().padStart(4, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    this.requests.push(`${method} ${rawUrl}`);
    let body = '';
    for await (const chunk of req) body += chunk;
    const headers = { 'Content-Type': 'application/json; charset=utf-8', 'X-Ovh-QueryID': this.queryId() };
    try {
      const url = new URL(rawUrl, `http://${this.address}:${this.port}`);
      if (!url.pathname.startsWith('/1.0/')) throw classError(404, 'Client::NotFound', 'Got an invalid (or empty) URL');
      const path = url.pathname.slice(4);
      for (const kind of ['server-error', 'unavailable', 'rate-limit'] as const) {
        if (!this.takeFault(kind, method, path)) continue;
        if (kind === 'unavailable') {
          res.writeHead(503, { 'Content-Type': 'text/html', 'X-Ovh-QueryID': headers['X-Ovh-QueryID'] });
          res.end('<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>');
          return;
        }
        throw kind === 'server-error' ? classError(500, 'Server::InternalServerError', 'Internal server error') : classError(429, 'Client::TooManyRequests', 'Too much requests');
      }
      if (path === '/auth/time' && method === 'GET') {
        res.writeHead(200, headers);
        res.end(String(this.serverTime()));
        return;
      }
      this.authenticate(req, method, rawUrl, body, path);
      const result = this.route(method, path, url, body);
      res.writeHead(200, headers);
      res.end(JSON.stringify(result));
    } catch (error) {
      if (error instanceof OvhError) {
        res.writeHead(error.status, headers);
        res.end(JSON.stringify(error.body));
      } else {
        res.writeHead(500, headers);
        res.end(JSON.stringify({ class: 'Server::InternalServerError', message: `fake-ovh bug: ${(error as Error).message}` }));
      }
    }
  }

  private authenticate(req: IncomingMessage, method: string, rawUrl: string, body: string, path: string): void {
    const header = (name: string): string => {
      const v = req.headers[name];
      return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
    };
    const ak = header('x-ovh-application');
    if (ak === '') throw authError(401, 'NOT_AUTHENTICATED', 'You must login first');
    if (ak !== this.appKey) throw authError(403, 'INVALID_KEY', 'This application key is invalid');
    const ck = header('x-ovh-consumer');
    const rules = this.consumers.get(ck);
    // OVH's answer for a consumer key it never issued (INVALID_CREDENTIAL / "This credential is not
    // valid" is its answer for one still pending validation, which this fake does not model).
    if (rules === undefined) throw authError(403, 'NOT_CREDENTIAL', 'This credential does not exist');
    const timestamp = header('x-ovh-timestamp');
    if (!/^\d+$/.test(timestamp)) throw authError(400, 'INVALID_SIGNATURE', 'Invalid signature');
    const drift = this.options.maxTimestampDriftSeconds;
    if (drift !== undefined && Math.abs(Number(timestamp) - this.serverTime()) > drift) throw authError(400, 'QUERY_TIME_OUT', 'Query out of time');
    // The URL as the client addressed it: scheme, Host header, raw path and query.
    const fullUrl = `http://${header('host')}${rawUrl}`;
    const expected = ovhSignature(this.appSecret, ck, method, fullUrl, body, timestamp);
    const forced = this.takeFault('invalid-signature', method, path);
    if (forced || header('x-ovh-signature') !== expected) throw authError(this.options.invalidSignatureStatus ?? 400, 'INVALID_SIGNATURE', 'Invalid signature');
    if (!rules.some((r) => ruleMatches(r, method, path))) throw classError(403, 'Client::Forbidden', 'This call has not been granted');
  }

  private zone(name: string): ZoneState {
    const zone = this.zones.get(name);
    if (!zone) throw classError(404, 'Client::NotFound', `This service does not exist`);
    return zone;
  }

  private parseBody(body: string): Record<string, unknown> {
    if (body === '') return {};
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw classError(400, 'Client::BadRequest', 'Invalid JSON received');
  }

  private checkTtl(ttl: unknown): number {
    if (ttl === undefined || ttl === null) return 0;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) throw classError(400, 'Client::BadRequest', 'Invalid ttl: must be a positive integer');
    if (ttl !== 0 && ttl < 60) throw classError(400, 'Client::BadRequest', 'Invalid ttl: minimum is 60');
    return ttl;
  }

  private route(method: string, path: string, url: URL, body: string): unknown {
    const seg = path.split('/').filter(Boolean);
    if (seg[0] !== 'domain' || seg[1] !== 'zone') throw classError(404, 'Client::NotFound', `Got an invalid (or empty) URL`);
    if (seg.length === 2 && method === 'GET') return [...this.zones.keys()].sort();
    const zoneName = seg[2] as string;
    const zone = this.zone(zoneName);
    const what = seg[3];
    if (what === undefined && method === 'GET') {
      return { name: zoneName, hasDnsAnycast: false, nameServers: ['dns200.anycast.me', 'ns200.anycast.me'], dnssecSupported: true, lastUpdate: new Date(this.now()).toISOString() };
    }
    if (what === 'soa' && method === 'GET') {
      return { server: 'dns200.anycast.me', email: 'tech.ovh.net', serial: zone.serial, refresh: 86400, nxDomainTtl: 3600, expire: 3600000, ttl: 3600 };
    }
    if (what === 'refresh' && method === 'POST' && seg.length === 4) {
      zone.published = structuredClone(zone.staged);
      zone.refreshes += 1;
      zone.serial += 1;
      return null;
    }
    if (what !== 'record') throw classError(404, 'Client::NotFound', 'Got an invalid (or empty) URL');
    const idPart = seg[4];
    if (idPart === undefined) {
      if (method === 'GET') {
        const fieldType = url.searchParams.get('fieldType');
        const subDomain = url.searchParams.get('subDomain');
        return zone.staged.filter((r) => (fieldType === null || like(r.fieldType, fieldType)) && (subDomain === null || like(r.subDomain, subDomain))).map((r) => r.id);
      }
      if (method !== 'POST') throw classError(405, 'Client::MethodNotAllowed', 'Method not allowed');
      const input = this.parseBody(body);
      const fieldType = input['fieldType'];
      if (typeof fieldType !== 'string' || !FIELD_TYPES.includes(fieldType)) throw classError(400, 'Client::BadRequest', `Invalid value for fieldType: ${String(fieldType)}`);
      const target = input['target'];
      if (typeof target !== 'string' || target === '') throw classError(400, 'Client::BadRequest', 'Missing parameter(s): target');
      const subDomain = input['subDomain'] === undefined || input['subDomain'] === null ? '' : String(input['subDomain']);
      if (fieldType === 'CNAME' && subDomain === '') throw classError(400, 'Client::BadRequest', 'A CNAME record must have a subDomain');
      const record: ZoneRecord = { id: this.nextId++, zone: zoneName, subDomain, fieldType, target, ttl: this.checkTtl(input['ttl']) };
      zone.staged.push(record);
      if (this.takeFault('not-found-after-create', method, path)) this.hidden.add(record.id);
      // Known API quirk (terraform-provider-ovh): POST may answer with id 0.
      if (this.takeFault('id-zero', method, path)) return { ...record, id: 0 };
      return record;
    }
    const id = Number(idPart);
    const record = zone.staged.find((r) => r.id === id);
    if (!record) throw classError(404, 'Client::NotFound', `The requested object (id = ${idPart}) does not exist`);
    if (method === 'GET') {
      if (this.hidden.delete(id)) throw classError(404, 'Client::NotFound', `The requested object (id = ${idPart}) does not exist`);
      return record;
    }
    if (method === 'PUT') {
      const input = this.parseBody(body);
      if (input['fieldType'] !== undefined && input['fieldType'] !== record.fieldType) throw classError(400, 'Client::BadRequest', 'fieldType cannot be changed');
      if (input['subDomain'] !== undefined) record.subDomain = String(input['subDomain']);
      if (input['target'] !== undefined) record.target = String(input['target']);
      if (input['ttl'] !== undefined) record.ttl = this.checkTtl(input['ttl']);
      return null;
    }
    if (method === 'DELETE') {
      zone.staged = zone.staged.filter((r) => r.id !== id);
      return null;
    }
    throw classError(405, 'Client::MethodNotAllowed', 'Method not allowed');
  }

  private readonly hidden = new Set<number>();
}

/** The rights libdns/ovh documents for DNS-01 (apis.md §3.6), for all zones. */
export const DNS_RULES: readonly AccessRule[] = [
  { method: 'GET', path: '/domain/zone/*/record' },
  { method: 'POST', path: '/domain/zone/*/record' },
  { method: 'GET', path: '/domain/zone/*/record/*' },
  { method: 'PUT', path: '/domain/zone/*/record/*' },
  { method: 'DELETE', path: '/domain/zone/*/record/*' },
  { method: 'GET', path: '/domain/zone/*/soa' },
  { method: 'POST', path: '/domain/zone/*/refresh' },
];
