import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IMAGES, LOCATIONS, SERVER_TYPES } from './fake-hetzner-data.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';

/**
 * STAND-IN for the Hetzner Cloud API (https://api.hetzner.cloud/v1) on 127.0.0.1, following the
 * checklist of apis.md §1.14: bearer auth, the error format (details null, {} or an object),
 * pagination with meta and Link, RateLimit headers on every response and 429, actions that
 * progress over time, servers, ssh_keys (MD5 fingerprints), firewalls, server_types, locations,
 * images, primary_ips, label selectors, and fault switches. Creating a server asks the injected
 * starter for a machine (a real sandbox server in end-to-end tests) and reports its address.
 */

/** What the fake asks for when a server is created or deleted. */
export interface ServerStarter {
  start(request: StartRequest): Promise<StartedServer>;
  stop(server: { id: number; name: string }): Promise<void>;
}

export interface StartRequest {
  readonly id: number;
  readonly name: string;
  /** OpenSSH public key lines of the ssh_keys given at creation. */
  readonly publicKeys: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly userData?: string;
}

export interface StartedServer {
  readonly ipv4: string;
  /** Settles when the machine has booted; create_server stays `running` until then. */
  readonly ready?: Promise<void>;
}

export type FaultKind = 'rate-limit' | 'server-error' | 'unavailable' | 'timeout' | 'resource-unavailable' | 'locked' | 'conflict' | 'limit-exceeded' | 'action-error';

export interface Fault {
  readonly kind: FaultKind;
  /** Only requests with this method (default: any). */
  readonly method?: string;
  /** Only paths starting with this (e.g. `/servers`; default: any). */
  readonly path?: string;
  /** How many requests (or, for action-error, actions) it hits; default 1. */
  times?: number;
}

export interface FakeHetznerOptions {
  readonly token?: string;
  /** A token that may only GET (401 token_readonly otherwise). */
  readonly readonlyToken?: string;
  readonly starter?: ServerStarter;
  /** Requests per hour (RateLimit-Limit). */
  readonly rateLimit?: number;
  /** How long an action runs before it succeeds. */
  readonly actionMs?: number;
  /** Emit the legacy `datacenter` object next to `location` (removed from the real API on 2026-07-01). */
  readonly legacyDatacenter?: boolean;
  readonly now?: () => number;
}

interface ActionRecord {
  id: number;
  command: string;
  resources: { id: number; type: string }[];
  started: number;
  durationMs: number;
  fail: boolean;
  waitFor?: Promise<void>;
  waited: boolean;
  onSuccess?: () => void;
  done: boolean;
}

interface ServerRecord {
  id: number; name: string; status: string; created: number; labels: Record<string, string>;
  serverType: (typeof SERVER_TYPES)[number]; location: (typeof LOCATIONS)[number]; image: (typeof IMAGES)[number];
  ipv4: { id: number; ip: string } | null; ipv6: { id: number; ip: string } | null; firewalls: { id: number; status: 'applied' | 'pending' }[];
  primaryIps: number[]; deleting: boolean;
}

interface SshKeyRecord { id: number; name: string; fingerprint: string; public_key: string; labels: Record<string, string>; created: number }
interface Rule { direction: 'in' | 'out'; protocol: string; port: string | null; source_ips: string[]; destination_ips: string[]; description: string | null }
type ApplyTo = { type: 'server'; server: { id: number } } | { type: 'label_selector'; label_selector: { selector: string } };
interface FirewallRecord { id: number; name: string; labels: Record<string, string>; created: number; rules: Rule[]; appliedTo: ApplyTo[] }
interface PrimaryIpRecord {
  id: number; name: string; ip: string; type: 'ipv4' | 'ipv6'; assigneeId: number | null; autoDelete: boolean; labels: Record<string, string>;
  created: number; location: (typeof LOCATIONS)[number]; dnsPtr: { ip: string; dns_ptr: string }[];
}

class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: unknown = null) {
    super(message);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** MD5 of the key blob in colon-hex form, as hcloud-go's ssh.FingerprintLegacyMD5. */
export function md5Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? '', 'base64');
  return (createHash('md5').update(blob).digest('hex').match(/../g) ?? []).join(':');
}

const HOSTNAME_RE = /^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;
const LABEL_NAME_RE = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;
const LABEL_VALUE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?)?$/;

export class FakeHetzner {
  readonly token: string;
  private readonly options: FakeHetznerOptions;
  private readonly now: () => number;
  private http: Server | undefined;
  private port = 0;
  private nextId = 1000;
  private readonly actions = new Map<number, ActionRecord>();
  private readonly servers = new Map<number, ServerRecord>();
  private readonly sshKeys = new Map<number, SshKeyRecord>();
  private readonly firewalls = new Map<number, FirewallRecord>();
  private readonly primaryIps = new Map<number, PrimaryIpRecord>();
  private readonly faults: Fault[] = [];
  private remaining: number;
  private refilledAt: number;
  private ipCounter = 10;
  /** Every request as `METHOD /path?query`, for tests. */
  readonly requests: string[] = [];
  actionMs: number;

  constructor(options: FakeHetznerOptions = {}) {
    this.options = options;
    this.token = options.token ?? `fake-hcloud-${randomBytes(16).toString('hex')}`;
    this.now = options.now ?? Date.now;
    this.remaining = this.limit;
    this.refilledAt = this.now();
    this.actionMs = options.actionMs ?? 300;
  }

  private get limit(): number {
    return this.options.rateLimit ?? 3600;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<string> {
    this.http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.http?.listen(0, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
    return this.url;
  }

  /** Stops listening and stops every machine the starter still runs. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http?.closeAllConnections();
    const starter = this.options.starter;
    if (starter) for (const s of [...this.servers.values()]) await starter.stop({ id: s.id, name: s.name });
    this.servers.clear();
  }

  /** Fault switch: the next matching request(s) fail the given way. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Empties the rate-limit budget so the next request gets 429 through the real counting. */
  exhaustRateLimit(): void {
    this.remaining = 0;
    this.refilledAt = this.now();
  }

  serverCount(): number {
    return this.servers.size;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private rateHeaders(): Record<string, string> {
    const interval = 3_600_000 / this.limit;
    const now = this.now();
    const gained = Math.floor((now - this.refilledAt) / interval);
    if (gained > 0) {
      this.remaining = Math.min(this.limit, this.remaining + gained);
      this.refilledAt += gained * interval;
    }
    const reset = Math.ceil((now + (this.limit - this.remaining) * interval) / 1000);
    return { 'RateLimit-Limit': String(this.limit), 'RateLimit-Remaining': String(this.remaining), 'RateLimit-Reset': String(reset) };
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Correlation-Id': randomUUID().slice(0, 16), ...headers });
    res.end(text);
  }

  private takeFault(method: string, path: string, kinds: readonly FaultKind[]): Fault | undefined {
    const fault = this.faults.find((f) => kinds.includes(f.kind) && (!f.method || f.method === method) && (!f.path || path.startsWith(f.path)));
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    let body = '';
    for await (const chunk of req) body += chunk;
    const headers = this.rateHeaders();
    try {
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (token !== this.token && !(this.options.readonlyToken && token === this.options.readonlyToken)) {
        throw new ApiError(401, 'unauthorized', 'unable to authenticate');
      }
      if (this.remaining <= 0) throw new ApiError(429, 'rate_limit_exceeded', `limit of ${this.limit} requests per hour reached`);
      this.remaining -= 1;
      headers['RateLimit-Remaining'] = String(this.remaining);
      if (token === this.options.readonlyToken && method !== 'GET') throw new ApiError(401, 'token_readonly', 'token only allowed to perform GET requests');
      if (!url.pathname.startsWith('/v1/')) throw new ApiError(404, 'not_found', 'not found');
      const path = url.pathname.slice(3);
      const fault = this.takeFault(method, path, ['rate-limit', 'server-error', 'unavailable', 'timeout', 'locked', 'conflict', 'limit-exceeded']);
      if (fault) throw this.faultError(fault.kind);
      let parsed: Record<string, unknown> = {};
      if (body !== '') {
        try {
          parsed = JSON.parse(body) as Record<string, unknown>;
        } catch {
          throw new ApiError(400, 'json_error', 'invalid JSON input');
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'json_error', 'invalid JSON input');
      }
      this.settle();
      const result = await this.route(method, path, url, parsed);
      this.send(res, result.status, result.body, { ...headers, ...(result.headers ?? {}) });
    } catch (error) {
      if (error instanceof ApiError) {
        this.send(res, error.status, { error: { code: error.code, message: error.message, details: error.details } }, headers);
      } else {
        this.send(res, 500, { error: { code: 'server_error', message: `fake-hetzner bug: ${(error as Error).message}`, details: null } }, headers);
      }
    }
  }

  private faultError(kind: FaultKind): ApiError {
    switch (kind) {
      case 'rate-limit': return new ApiError(429, 'rate_limit_exceeded', `limit of ${this.limit} requests per hour reached`, null);
      case 'server-error': return new ApiError(500, 'server_error', 'error within the API backend', null);
      case 'unavailable': return new ApiError(503, 'unavailable', 'service not available', {});
      case 'timeout': return new ApiError(504, 'timeout', 'request timed out', null);
      case 'locked': return new ApiError(423, 'locked', 'server is locked by another action', {});
      case 'conflict': return new ApiError(409, 'conflict', 'resource changed during the request, please retry', {});
      case 'limit-exceeded': return new ApiError(403, 'resource_limit_exceeded', 'server limit reached', { limits: [{ name: 'server_limit' }] });
      case 'resource-unavailable': return new ApiError(412, 'resource_unavailable', 'error during placement', {});
      case 'action-error': return new ApiError(500, 'server_error', 'unexpected', null);
    }
  }

  // ---- actions ------------------------------------------------------------------------------

  private newAction(command: string, resources: { id: number; type: string }[], options: { waitFor?: Promise<void>; onSuccess?: () => void; after?: ActionRecord } = {}): ActionRecord {
    const fail = this.takeFault('ACTION', command, ['action-error']) !== undefined;
    const action: ActionRecord = {
      id: this.nextId++, command, resources, started: this.now(), durationMs: this.actionMs, fail, waited: options.waitFor === undefined, done: false,
      ...(options.waitFor ? { waitFor: options.waitFor } : {}), ...(options.onSuccess ? { onSuccess: options.onSuccess } : {}),
    };
    if (options.waitFor) {
      options.waitFor.then(
        () => void (action.waited = true),
        () => {
          action.waited = true;
          action.fail = true;
        },
      );
    }
    if (options.after) {
      // A next action starts when the one before it ends.
      action.started = options.after.started + options.after.durationMs;
    }
    this.actions.set(action.id, action);
    return action;
  }

  private actionStatus(a: ActionRecord): { status: 'running' | 'success' | 'error'; progress: number; finished: number | null } {
    const elapsed = this.now() - a.started;
    if (elapsed < a.durationMs || !a.waited) {
      return { status: 'running', progress: Math.max(0, Math.min(99, Math.floor((100 * elapsed) / Math.max(1, a.durationMs)))), finished: null };
    }
    return { status: a.fail ? 'error' : 'success', progress: 100, finished: a.started + a.durationMs };
  }

  /** Applies the effects of actions that have finished since the last request. */
  private settle(): void {
    for (const a of this.actions.values()) {
      if (a.done) continue;
      const s = this.actionStatus(a);
      if (s.status === 'running') continue;
      a.done = true;
      if (s.status === 'success') a.onSuccess?.();
    }
  }

  private actionJson(a: ActionRecord): Record<string, unknown> {
    const s = this.actionStatus(a);
    return {
      id: a.id, command: a.command, status: s.status, progress: s.progress, started: iso(a.started), finished: s.finished === null ? null : iso(s.finished),
      resources: a.resources, error: s.status === 'error' ? { code: 'action_failed', message: 'Action failed' } : null,
    };
  }

  // ---- lists ----------------------------------------------------------------------------------

  private list<T extends { id: number; name?: string | null; labels?: Record<string, string> }>(
    url: URL, key: string, items: T[], render: (item: T) => unknown, extraFilter?: (item: T) => boolean,
  ): { status: number; body: unknown; headers: Record<string, string> } {
    const q = url.searchParams;
    let rows = items.filter((i) => extraFilter?.(i) ?? true);
    const name = q.get('name');
    if (name !== null) rows = rows.filter((i) => i.name === name);
    const ids = q.getAll('id').map(Number);
    if (ids.length > 0) rows = rows.filter((i) => ids.includes(i.id));
    const selector = q.get('label_selector');
    if (selector !== null) {
      let requirements;
      try {
        requirements = parseLabelSelector(selector);
      } catch (error) {
        throw new ApiError(422, 'invalid_input', `invalid input in field 'label_selector': ${(error as Error).message}`, { fields: [{ name: 'label_selector', messages: ['is invalid'] }] });
      }
      rows = rows.filter((i) => matchesSelector(i.labels ?? {}, requirements));
    }
    for (const sort of q.getAll('sort').reverse()) {
      const [field, dir] = sort.split(':');
      const sign = dir === 'desc' ? -1 : 1;
      rows = [...rows].sort((a, b) => {
        const x = (a as Record<string, unknown>)[field ?? 'id'];
        const y = (b as Record<string, unknown>)[field ?? 'id'];
        return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
      });
    }
    const page = Math.max(1, Number(q.get('page') ?? '1') || 1);
    const perPage = Math.min(50, Math.max(1, Number(q.get('per_page') ?? '25') || 25));
    const total = rows.length;
    const lastPage = Math.max(1, Math.ceil(total / perPage));
    const pageRows = rows.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string): string => {
      const u = new URL(url.toString());
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links = [...(page > 1 ? [link(page - 1, 'prev')] : []), ...(page < lastPage ? [link(page + 1, 'next')] : []), link(lastPage, 'last')];
    return {
      status: 200,
      body: {
        [key]: pageRows.map(render),
        meta: { pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < lastPage ? page + 1 : null, last_page: lastPage, total_entries: total } },
      },
      headers: { Link: links.join(', ') },
    };
  }

  // ---- validation helpers -----------------------------------------------------------------------

  private invalid(field: string, message: string): ApiError {
    return new ApiError(422, 'invalid_input', `invalid input in field '${field}': ${message}`, { fields: [{ name: field, messages: [message] }] });
  }

  private labels(value: unknown, field = 'labels'): Record<string, string> {
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw this.invalid(field, 'must be an object');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!LABEL_NAME_RE.test(k) || k.startsWith('hetzner.cloud/')) throw this.invalid(field, `label key '${k}' is invalid`);
      if (typeof v !== 'string' || !LABEL_VALUE_RE.test(v)) throw this.invalid(field, `label value of '${k}' is invalid`);
      out[k] = v;
    }
    return out;
  }

  private requireString(body: Record<string, unknown>, field: string): string {
    const v = body[field];
    if (v === undefined || v === null || v === '') throw this.invalid(field, 'is required');
    if (typeof v !== 'string') throw this.invalid(field, 'must be a string');
    return v;
  }

  private byIdOrName<T extends { id: number; name: string }>(items: Iterable<T>, ref: unknown, field: string): T {
    const found = [...items].find((i) => i.id === Number(ref) || i.name === ref);
    if (!found) throw this.invalid(field, `${String(ref)} not found`);
    return found;
  }

  private get(id: string, map: Map<number, unknown>, what: string): void {
    if (!map.has(Number(id))) throw new ApiError(404, 'not_found', `${what} with ID '${id}' not found`);
  }

  // ---- rendering ------------------------------------------------------------------------------

  private serverJson(s: ServerRecord): Record<string, unknown> {
    const dc = this.options.legacyDatacenter
      ? { datacenter: { id: s.location.id, name: `${s.location.name}-dc${s.location.id + 13}`, description: `${s.location.city} 1 virtual DC ${s.location.id + 13}`, location: s.location } }
      : {};
    return {
      id: s.id, name: s.name, status: s.status, created: iso(s.created),
      public_net: {
        ipv4: s.ipv4 ? { id: s.ipv4.id, ip: s.ipv4.ip, blocked: false, dns_ptr: `static.${s.ipv4.ip.split('.').reverse().join('.')}.clients.your-server.de` } : null,
        ipv6: s.ipv6 ? { id: s.ipv6.id, ip: s.ipv6.ip, blocked: false, dns_ptr: [] } : null,
        floating_ips: [], firewalls: s.firewalls,
      },
      private_net: [], server_type: s.serverType, location: s.location, ...dc, image: s.image, iso: null,
      included_traffic: 21990232555520, outgoing_traffic: 0, ingoing_traffic: 0, backup_window: null, rescue_enabled: false, locked: false,
      protection: { delete: false, rebuild: false }, labels: s.labels, volumes: [], load_balancers: [], primary_disk_size: s.serverType.disk, placement_group: null,
    };
  }

  private firewallJson(f: FirewallRecord): Record<string, unknown> {
    return {
      id: f.id, name: f.name, labels: f.labels, created: iso(f.created), rules: f.rules,
      applied_to: f.appliedTo.map((a) =>
        a.type === 'server'
          ? a
          : { ...a, applied_to_resources: [...this.servers.values()].filter((s) => matchesSelector(s.labels, parseLabelSelector(a.label_selector.selector))).map((s) => ({ type: 'server', server: { id: s.id } })) },
      ),
    };
  }

  private primaryIpJson(p: PrimaryIpRecord): Record<string, unknown> {
    return {
      id: p.id, name: p.name, ip: p.ip, type: p.type, assignee_id: p.assigneeId, assignee_type: p.assigneeId === null ? 'unassigned' : 'server',
      auto_delete: p.autoDelete, blocked: false, created: iso(p.created), dns_ptr: p.dnsPtr, labels: p.labels, location: p.location, protection: { delete: false },
    };
  }

  private sshKeyJson(k: SshKeyRecord): Record<string, unknown> {
    return { id: k.id, name: k.name, fingerprint: k.fingerprint, public_key: k.public_key, labels: k.labels, created: iso(k.created) };
  }

  // ---- routes ---------------------------------------------------------------------------------

  private async route(method: string, path: string, url: URL, body: Record<string, unknown>): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const seg = path.split('/').filter(Boolean);
    const [collection, id, sub, action] = seg;
    const notAllowed = (): ApiError => new ApiError(405, 'method_not_allowed', 'method not allowed');

    switch (collection) {
      case 'locations':
        if (method !== 'GET') throw notAllowed();
        if (id) return { status: 200, body: { location: this.byIdOrNameOr404(LOCATIONS, id, 'Location') } };
        return this.list(url, 'locations', [...LOCATIONS], (l) => l);
      case 'server_types':
        if (method !== 'GET') throw notAllowed();
        if (id) return { status: 200, body: { server_type: this.byIdOrNameOr404(SERVER_TYPES, id, 'Server Type') } };
        return this.list(url, 'server_types', [...SERVER_TYPES], (t) => t);
      case 'images':
        if (method !== 'GET') throw notAllowed();
        if (id) return { status: 200, body: { image: this.byIdOrNameOr404(IMAGES, id, 'Image') } };
        return this.list(url, 'images', [...IMAGES], (i) => i, (i) => {
          const arch = url.searchParams.get('architecture');
          const types = url.searchParams.getAll('type');
          return (!arch || i.architecture === arch) && (types.length === 0 || types.includes(i.type));
        });
      case 'actions':
        if (method !== 'GET') throw notAllowed();
        if (id) {
          const a = this.actions.get(Number(id));
          if (!a) throw new ApiError(404, 'not_found', `action with ID '${id}' not found`);
          return { status: 200, body: { action: this.actionJson(a) } };
        }
        if (url.searchParams.getAll('id').length === 0) {
          throw new ApiError(410, 'deprecated_api_endpoint', 'API functionality was removed', { announcement: 'https://docs.hetzner.cloud/changelog#2025-01-30-listing-arbitrary-actions-in-the-actions-list-endpoint-is-removed' });
        }
        return this.list(url, 'actions', [...this.actions.values()], (a) => this.actionJson(a), undefined);
      case 'ssh_keys':
        return this.sshKeysRoute(method, url, id, body);
      case 'servers':
        return this.serversRoute(method, url, id, sub, action, body);
      case 'firewalls':
        return this.firewallsRoute(method, url, id, sub, action, body);
      case 'primary_ips':
        return this.primaryIpsRoute(method, url, id, sub, action, body);
      default:
        throw new ApiError(404, 'not_found', 'not found');
    }
  }

  private byIdOrNameOr404<T extends { id: number; name: string }>(items: readonly T[], ref: string, what: string): T {
    const found = items.find((i) => String(i.id) === ref || i.name === ref);
    if (!found) throw new ApiError(404, 'not_found', `${what} with ID '${ref}' not found`);
    return found;
  }

  private resourceActions(url: URL, type: string, id: number): { status: number; body: unknown; headers: Record<string, string> } {
    const statuses = url.searchParams.getAll('status');
    return this.list(url, 'actions', [...this.actions.values()], (a) => this.actionJson(a), (a) =>
      a.resources.some((r) => r.type === type && r.id === id) && (statuses.length === 0 || statuses.includes(this.actionStatus(a).status)));
  }

  private sshKeysRoute(method: string, url: URL, id: string | undefined, body: Record<string, unknown>): { status: number; body?: unknown; headers?: Record<string, string> } {
    if (!id) {
      if (method === 'GET') {
        const fp = url.searchParams.get('fingerprint');
        return this.list(url, 'ssh_keys', [...this.sshKeys.values()], (k) => this.sshKeyJson(k), (k) => fp === null || k.fingerprint === fp);
      }
      if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'method not allowed');
      const name = this.requireString(body, 'name');
      const publicKey = this.requireString(body, 'public_key').trim();
      if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/.test(publicKey)) {
        throw this.invalid('public_key', 'invalid public key');
      }
      const fingerprint = md5Fingerprint(publicKey);
      const labels = this.labels(body['labels']);
      const keys = [...this.sshKeys.values()];
      if (keys.some((k) => k.fingerprint === fingerprint)) throw new ApiError(409, 'uniqueness_error', 'SSH key with the same fingerprint already exists', { fields: [{ name: 'public_key' }] });
      if (keys.some((k) => k.name === name)) throw new ApiError(409, 'uniqueness_error', 'SSH key name is already used', { fields: [{ name: 'name' }] });
      const key: SshKeyRecord = { id: this.nextId++, name, fingerprint, public_key: publicKey, labels, created: this.now() };
      this.sshKeys.set(key.id, key);
      return { status: 201, body: { ssh_key: this.sshKeyJson(key) } };
    }
    this.get(id, this.sshKeys, 'SSH key');
    const key = this.sshKeys.get(Number(id)) as SshKeyRecord;
    if (method === 'GET') return { status: 200, body: { ssh_key: this.sshKeyJson(key) } };
    if (method === 'PUT') {
      if (body['name'] !== undefined) {
        const name = this.requireString(body, 'name');
        if ([...this.sshKeys.values()].some((k) => k.name === name && k.id !== key.id)) throw new ApiError(409, 'uniqueness_error', 'SSH key name is already used', { fields: [{ name: 'name' }] });
        key.name = name;
      }
      if (body['labels'] !== undefined) key.labels = this.labels(body['labels']);
      return { status: 200, body: { ssh_key: this.sshKeyJson(key) } };
    }
    if (method === 'DELETE') {
      this.sshKeys.delete(key.id);
      return { status: 204 };
    }
    throw new ApiError(405, 'method_not_allowed', 'method not allowed');
  }

  private nextIpv4(): string {
    // Documentation range (RFC 5737), as a fake public address when no starter is given.
    this.ipCounter += 1;
    return `203.0.113.${this.ipCounter}`;
  }

  private async serversRoute(method: string, url: URL, id: string | undefined, sub: string | undefined, action: string | undefined, body: Record<string, unknown>): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    if (!id) {
      if (method === 'GET') {
        const statuses = url.searchParams.getAll('status');
        return this.list(url, 'servers', [...this.servers.values()], (s) => this.serverJson(s), (s) => statuses.length === 0 || statuses.includes(s.status));
      }
      if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'method not allowed');
      return this.createServer(body);
    }
    if (id === 'actions') {
      if (!sub) return this.list(url, 'actions', [...this.actions.values()].filter((a) => a.resources.some((r) => r.type === 'server')), (a) => this.actionJson(a));
      const a = this.actions.get(Number(sub));
      if (!a) throw new ApiError(404, 'not_found', `action with ID '${sub}' not found`);
      return { status: 200, body: { action: this.actionJson(a) } };
    }
    this.get(id, this.servers, 'server');
    const server = this.servers.get(Number(id)) as ServerRecord;
    if (sub === 'actions') {
      if (method === 'GET' && !action) return this.resourceActions(url, 'server', server.id);
      if (method === 'GET') {
        const a = this.actions.get(Number(action));
        if (!a || !a.resources.some((r) => r.type === 'server' && r.id === server.id)) throw new ApiError(404, 'not_found', `action with ID '${action}' not found`);
        return { status: 200, body: { action: this.actionJson(a) } };
      }
      if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'method not allowed');
      const power: Record<string, [string, string]> = {
        poweron: ['start_server', 'running'], poweroff: ['stop_server', 'off'], shutdown: ['shutdown_server', 'off'], reboot: ['reboot_server', 'running'], reset: ['reset_server', 'running'],
      };
      const spec = power[action ?? ''];
      if (!spec) throw new ApiError(404, 'not_found', 'not found');
      if (server.deleting) throw new ApiError(423, 'locked', 'server is being deleted', {});
      const a = this.newAction(spec[0], [{ id: server.id, type: 'server' }], { onSuccess: () => void (server.status = spec[1]) });
      if (spec[1] === 'off') server.status = 'stopping';
      return { status: 201, body: { action: this.actionJson(a) } };
    }
    if (sub) throw new ApiError(404, 'not_found', 'not found');
    if (method === 'GET') return { status: 200, body: { server: this.serverJson(server) } };
    if (method === 'PUT') {
      if (body['name'] !== undefined) {
        const name = this.requireString(body, 'name');
        if (!HOSTNAME_RE.test(name)) throw this.invalid('name', 'must be a valid hostname');
        if ([...this.servers.values()].some((s) => s.name === name && s.id !== server.id)) throw new ApiError(409, 'uniqueness_error', 'server name is already used', { fields: [{ name: 'name' }] });
        server.name = name;
      }
      if (body['labels'] !== undefined) server.labels = this.labels(body['labels']);
      return { status: 200, body: { server: this.serverJson(server) } };
    }
    if (method === 'DELETE') {
      server.deleting = true;
      server.status = 'deleting';
      const stopped = this.options.starter?.stop({ id: server.id, name: server.name }) ?? Promise.resolve();
      const a = this.newAction('delete_server', [{ id: server.id, type: 'server' }], {
        waitFor: stopped,
        onSuccess: () => {
          this.servers.delete(server.id);
          for (const p of this.primaryIps.values()) {
            if (p.assigneeId === server.id) {
              if (p.autoDelete) this.primaryIps.delete(p.id);
              else p.assigneeId = null;
            }
          }
          for (const f of this.firewalls.values()) f.appliedTo = f.appliedTo.filter((t) => !(t.type === 'server' && t.server.id === server.id));
        },
      });
      return { status: 200, body: { action: this.actionJson(a) } };
    }
    throw new ApiError(405, 'method_not_allowed', 'method not allowed');
  }

  private async createServer(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const name = this.requireString(body, 'name');
    if (!HOSTNAME_RE.test(name)) throw this.invalid('name', 'must be a valid hostname (RFC 1123)');
    const typeRef = body['server_type'];
    if (typeRef === undefined) throw this.invalid('server_type', 'is required');
    const imageRef = body['image'];
    if (imageRef === undefined) throw this.invalid('image', 'is required');
    if (body['location'] !== undefined && body['datacenter'] !== undefined) throw this.invalid('datacenter', 'cannot be used together with location');
    const serverType = this.byIdOrName(SERVER_TYPES, typeRef, 'server_type');
    const location = this.byIdOrName(LOCATIONS, body['location'] ?? 'fsn1', 'location');
    const image = [...IMAGES].find((i) => (i.id === Number(imageRef) || i.name === imageRef) && i.architecture === serverType.architecture);
    if (!image) throw this.invalid('image', `${String(imageRef)} not found for architecture ${serverType.architecture}`);
    const labels = this.labels(body['labels']);
    const userData = body['user_data'];
    if (userData !== undefined && (typeof userData !== 'string' || Buffer.byteLength(userData) > 32 * 1024)) throw this.invalid('user_data', 'must be a string of at most 32 KiB');
    if ([...this.servers.values()].some((s) => s.name === name)) throw new ApiError(409, 'uniqueness_error', 'server name is already used', { fields: [{ name: 'name' }] });
    const availability = serverType.locations.find((l) => l.name === location.name);
    if (!availability || !availability.available) throw new ApiError(412, 'resource_unavailable', `server type ${serverType.name} is not available in ${location.name}`, {});
    if (this.takeFault('POST', '/servers', ['resource-unavailable'])) throw new ApiError(412, 'resource_unavailable', 'error during placement', {});
    const keyRefs = body['ssh_keys'] ?? [];
    if (!Array.isArray(keyRefs)) throw this.invalid('ssh_keys', 'must be an array');
    const keys = keyRefs.map((ref) => this.byIdOrName(this.sshKeys.values(), ref, 'ssh_keys'));
    const firewallRefs = (body['firewalls'] ?? []) as { firewall?: unknown }[];
    if (!Array.isArray(firewallRefs)) throw this.invalid('firewalls', 'must be an array');
    const firewalls = firewallRefs.map((f) => {
      const fw = this.firewalls.get(Number(f?.firewall));
      if (!fw) throw new ApiError(422, 'firewall_resource_not_found', `firewall ${String(f?.firewall)} not found`, {});
      return fw;
    });
    const publicNet = (body['public_net'] ?? {}) as { enable_ipv4?: boolean; enable_ipv6?: boolean; ipv4?: number | null; ipv6?: number | null };
    let primaryV4: PrimaryIpRecord | undefined;
    if (publicNet.ipv4 !== undefined && publicNet.ipv4 !== null) {
      primaryV4 = this.primaryIps.get(Number(publicNet.ipv4));
      if (!primaryV4) throw this.invalid('public_net.ipv4', 'primary IP not found');
      if (primaryV4.assigneeId !== null) throw new ApiError(422, 'primary_ip_assigned', 'primary IP is already assigned', {});
      if (primaryV4.type !== 'ipv4') throw new ApiError(422, 'primary_ip_version_mismatch', 'primary IP has the wrong version', {});
    }

    const id = this.nextId++;
    let ip = primaryV4?.ip ?? this.nextIpv4();
    let ready: Promise<void> | undefined;
    if (this.options.starter) {
      const started = await this.options.starter.start({
        id, name, labels, image: image.name, publicKeys: keys.map((k) => k.public_key), ...(typeof userData === 'string' ? { userData } : {}),
      });
      ip = started.ipv4;
      ready = started.ready;
    }
    const enable4 = publicNet.enable_ipv4 !== false;
    const enable6 = publicNet.enable_ipv6 !== false;
    if (enable4 && !primaryV4) {
      primaryV4 = { id: this.nextId++, name: `primary_ip-${id}`, ip, type: 'ipv4', assigneeId: id, autoDelete: true, labels: {}, created: this.now(), location, dnsPtr: [] };
      this.primaryIps.set(primaryV4.id, primaryV4);
    } else if (primaryV4) {
      primaryV4.assigneeId = id;
      // A stand-in cannot move a real address onto the machine: the primary IP takes the machine's.
      primaryV4.ip = ip;
    }
    const v6 = enable6 ? { id: this.nextId++, ip: `2001:db8:${(id % 65535).toString(16)}::/64` } : null;
    const server: ServerRecord = {
      id, name, status: 'initializing', created: this.now(), labels, serverType, location, image,
      ipv4: enable4 && primaryV4 ? { id: primaryV4.id, ip: primaryV4.ip } : null, ipv6: v6,
      firewalls: firewalls.map((f) => ({ id: f.id, status: 'pending' as const })), primaryIps: primaryV4 ? [primaryV4.id] : [], deleting: false,
    };
    for (const fw of firewalls) fw.appliedTo.push({ type: 'server', server: { id } });
    this.servers.set(id, server);
    const create = this.newAction('create_server', [{ id, type: 'server' }], {
      ...(ready ? { waitFor: ready } : {}),
      onSuccess: () => {
        if (server.status === 'initializing') server.status = body['start_after_create'] === false ? 'off' : 'starting';
        for (const f of server.firewalls) f.status = 'applied';
      },
    });
    const next = body['start_after_create'] === false
      ? []
      : [this.newAction('start_server', [{ id, type: 'server' }], { after: create, onSuccess: () => void (server.status = 'running') })];
    if (next[0] && ready) {
      next[0].waited = false;
      ready.then(() => void ((next[0] as ActionRecord).waited = true), () => void ((next[0] as ActionRecord).waited = true));
    }
    return {
      status: 201,
      body: { server: this.serverJson(server), action: this.actionJson(create), next_actions: next.map((a) => this.actionJson(a)), root_password: keys.length > 0 ? null : randomBytes(10).toString('base64url') },
    };
  }

  private parseRules(value: unknown): Rule[] {
    if (!Array.isArray(value)) throw this.invalid('rules', 'must be an array');
    if (value.length > 50) throw this.invalid('rules', 'at most 50 rules per firewall');
    return value.map((raw, i) => {
      const r = raw as Record<string, unknown>;
      const field = `rules[${i}]`;
      if (r['direction'] !== 'in' && r['direction'] !== 'out') throw this.invalid(`${field}.direction`, 'must be in or out');
      if (!['tcp', 'udp', 'icmp', 'esp', 'gre'].includes(String(r['protocol']))) throw this.invalid(`${field}.protocol`, 'must be tcp, udp, icmp, esp or gre');
      const port = r['port'] === undefined || r['port'] === null ? null : String(r['port']);
      if ((r['protocol'] === 'tcp' || r['protocol'] === 'udp') && (port === null || !/^(\d{1,5})(-\d{1,5})?$/.test(port))) throw this.invalid(`${field}.port`, 'is required for tcp and udp: a port or a range such as 1024-5000');
      if (r['protocol'] !== 'tcp' && r['protocol'] !== 'udp' && port !== null) throw this.invalid(`${field}.port`, 'is only allowed for tcp and udp');
      const ips = (key: string): string[] => {
        const list = r[key] ?? [];
        if (!Array.isArray(list) || list.length > 100 || list.some((c) => typeof c !== 'string' || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c))) throw this.invalid(`${field}.${key}`, 'must be a list of at most 100 CIDRs');
        return list as string[];
      };
      const source = r['direction'] === 'in' ? ips('source_ips') : [];
      const destination = r['direction'] === 'out' ? ips('destination_ips') : [];
      if (r['direction'] === 'in' && source.length === 0) throw this.invalid(`${field}.source_ips`, 'is required for direction in');
      if (r['direction'] === 'out' && destination.length === 0) throw this.invalid(`${field}.destination_ips`, 'is required for direction out');
      const description = r['description'] === undefined || r['description'] === null ? null : String(r['description']).slice(0, 255);
      return { direction: r['direction'], protocol: String(r['protocol']), port, source_ips: source, destination_ips: destination, description };
    });
  }

  private parseApplyTo(value: unknown, field: string): ApplyTo[] {
    if (!Array.isArray(value)) throw this.invalid(field, 'must be an array');
    return value.map((raw) => {
      const a = raw as Record<string, unknown>;
      if (a['type'] === 'server') {
        const id = Number((a['server'] as { id?: unknown } | undefined)?.id);
        if (!this.servers.has(id)) throw new ApiError(404, 'firewall_resource_not_found', `server ${id} not found`, {});
        return { type: 'server', server: { id } };
      }
      if (a['type'] === 'label_selector') {
        const selector = String((a['label_selector'] as { selector?: unknown } | undefined)?.selector ?? '');
        try {
          parseLabelSelector(selector);
        } catch {
          throw this.invalid(`${field}.label_selector`, 'is invalid');
        }
        return { type: 'label_selector', label_selector: { selector } };
      }
      throw this.invalid(`${field}.type`, 'must be server or label_selector');
    });
  }

  private firewallActions(fw: FirewallRecord, targets: ApplyTo[], command: 'apply_firewall' | 'remove_firewall'): ActionRecord[] {
    return targets.map((t) => {
      const resources = [{ id: fw.id, type: 'firewall' }, ...(t.type === 'server' ? [{ id: t.server.id, type: 'server' }] : [])];
      return this.newAction(command, resources, {
        onSuccess: () => {
          if (t.type !== 'server') return;
          const s = this.servers.get(t.server.id);
          if (!s) return;
          if (command === 'apply_firewall') s.firewalls = s.firewalls.map((f) => (f.id === fw.id ? { ...f, status: 'applied' } : f));
          else s.firewalls = s.firewalls.filter((f) => f.id !== fw.id);
        },
      });
    });
  }

  private firewallsRoute(method: string, url: URL, id: string | undefined, sub: string | undefined, action: string | undefined, body: Record<string, unknown>): { status: number; body?: unknown; headers?: Record<string, string> } {
    if (!id) {
      if (method === 'GET') return this.list(url, 'firewalls', [...this.firewalls.values()], (f) => this.firewallJson(f));
      if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'method not allowed');
      const name = this.requireString(body, 'name');
      if (name.length > 128) throw this.invalid('name', 'is too long');
      if ([...this.firewalls.values()].some((f) => f.name === name)) throw new ApiError(409, 'uniqueness_error', 'firewall name is already used', { fields: [{ name: 'name' }] });
      const rules = body['rules'] === undefined ? [] : this.parseRules(body['rules']);
      const applyTo = body['apply_to'] === undefined ? [] : this.parseApplyTo(body['apply_to'], 'apply_to');
      const fw: FirewallRecord = { id: this.nextId++, name, labels: this.labels(body['labels']), created: this.now(), rules, appliedTo: applyTo };
      this.firewalls.set(fw.id, fw);
      const actions: ActionRecord[] = [];
      if (rules.length > 0) actions.push(this.newAction('set_firewall_rules', [{ id: fw.id, type: 'firewall' }]));
      for (const t of applyTo) if (t.type === 'server') (this.servers.get(t.server.id) as ServerRecord).firewalls.push({ id: fw.id, status: 'pending' });
      actions.push(...this.firewallActions(fw, applyTo, 'apply_firewall'));
      return { status: 201, body: { firewall: this.firewallJson(fw), actions: actions.map((a) => this.actionJson(a)) } };
    }
    this.get(id, this.firewalls, 'firewall');
    const fw = this.firewalls.get(Number(id)) as FirewallRecord;
    if (sub === 'actions') {
      if (method === 'GET') return this.resourceActions(url, 'firewall', fw.id);
      if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'method not allowed');
      if (action === 'set_rules') {
        fw.rules = this.parseRules(body['rules']);
        const a = this.newAction('set_firewall_rules', [{ id: fw.id, type: 'firewall' }]);
        return { status: 201, body: { actions: [this.actionJson(a)] } };
      }
      if (action === 'apply_to_resources') {
        const targets = this.parseApplyTo(body['apply_to'], 'apply_to');
        for (const t of targets) {
          if (fw.appliedTo.some((x) => JSON.stringify(x) === JSON.stringify(t))) throw new ApiError(422, 'firewall_already_applied', 'firewall is already applied to this resource', {});
          if (t.type === 'server') {
            const s = this.servers.get(t.server.id) as ServerRecord;
            if (s.firewalls.length >= 5) throw new ApiError(422, 'invalid_input', 'at most 5 firewalls per server', {});
            s.firewalls.push({ id: fw.id, status: 'pending' });
          }
          fw.appliedTo.push(t);
        }
        return { status: 201, body: { actions: this.firewallActions(fw, targets, 'apply_firewall').map((a) => this.actionJson(a)) } };
      }
      if (action === 'remove_from_resources') {
        const targets = this.parseApplyTo(body['remove_from'], 'remove_from');
        for (const t of targets) {
          const index = fw.appliedTo.findIndex((x) => JSON.stringify(x) === JSON.stringify(t));
          if (index < 0) throw new ApiError(404, 'firewall_resource_not_found', 'firewall is not applied to this resource', {});
          fw.appliedTo.splice(index, 1);
        }
        return { status: 201, body: { actions: this.firewallActions(fw, targets, 'remove_firewall').map((a) => this.actionJson(a)) } };
      }
      throw new ApiError(404, 'not_found', 'not found');
    }
    if (method === 'GET') return { status: 200, body: { firewall: this.firewallJson(fw) } };
    if (method === 'PUT') {
      if (body['name'] !== undefined) fw.name = this.requireString(body, 'name');
      if (body['labels'] !== undefined) fw.labels = this.labels(body['labels']);
      return { status: 200, body: { firewall: this.firewallJson(fw) } };
    }
    if (method === 'DELETE') {
      if (fw.appliedTo.length > 0) throw new ApiError(422, 'resource_in_use', 'firewall is still applied to resources', {});
      this.firewalls.delete(fw.id);
      return { status: 204 };
    }
    throw new ApiError(405, 'method_not_allowed', 'method not allowed');
  }

  private primaryIpsRoute(method: string, url: URL, id: string | undefined, sub: string | undefined, action: string | undefined, body: Record<string, unknown>): { status: number; body?: unknown; headers?: Record<string, string> } {
    if (!id) {
      if (method === 'GET') {
        const ip = url.searchParams.get('ip');
        return this.list(url, 'primary_ips', [...this.primaryIps.values()], (p) => this.primaryIpJson(p), (p) => ip === null || p.ip === ip);
      }
      if (method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'method not allowed');
      const name = this.requireString(body, 'name');
      const type = body['type'];
      if (type !== 'ipv4' && type !== 'ipv6') throw this.invalid('type', 'must be ipv4 or ipv6');
      if (body['assignee_id'] !== undefined && body['location'] !== undefined) throw this.invalid('location', 'cannot be used together with assignee_id');
      if ([...this.primaryIps.values()].some((p) => p.name === name)) throw new ApiError(409, 'uniqueness_error', 'primary IP name is already used', { fields: [{ name: 'name' }] });
      const location = this.byIdOrName(LOCATIONS, body['location'] ?? 'fsn1', 'location');
      const p: PrimaryIpRecord = {
        id: this.nextId++, name, type, ip: type === 'ipv4' ? this.nextIpv4() : `2001:db8:${this.nextId.toString(16)}::/64`, assigneeId: null,
        autoDelete: body['auto_delete'] === true, labels: this.labels(body['labels']), created: this.now(), location, dnsPtr: [],
      };
      this.primaryIps.set(p.id, p);
      return { status: 201, body: { primary_ip: this.primaryIpJson(p), action: null } };
    }
    this.get(id, this.primaryIps, 'primary IP');
    const p = this.primaryIps.get(Number(id)) as PrimaryIpRecord;
    if (sub === 'actions') {
      if (method === 'GET') return this.resourceActions(url, 'primary_ip', p.id);
      if (action === 'assign') {
        const server = this.servers.get(Number(body['assignee_id']));
        if (!server) throw this.invalid('assignee_id', 'server not found');
        if (server.status !== 'off') throw new ApiError(422, 'server_not_stopped', 'server must be stopped', {});
        if (p.assigneeId !== null) throw new ApiError(422, 'primary_ip_already_assigned', 'primary IP is already assigned', {});
        p.assigneeId = server.id;
        const a = this.newAction('assign_primary_ip', [{ id: p.id, type: 'primary_ip' }, { id: server.id, type: 'server' }]);
        return { status: 201, body: { action: this.actionJson(a) } };
      }
      if (action === 'unassign') {
        p.assigneeId = null;
        const a = this.newAction('unassign_primary_ip', [{ id: p.id, type: 'primary_ip' }]);
        return { status: 201, body: { action: this.actionJson(a) } };
      }
      throw new ApiError(404, 'not_found', 'not found');
    }
    if (method === 'GET') return { status: 200, body: { primary_ip: this.primaryIpJson(p) } };
    if (method === 'PUT') {
      if (body['name'] !== undefined) p.name = this.requireString(body, 'name');
      if (body['labels'] !== undefined) p.labels = this.labels(body['labels']);
      if (body['auto_delete'] !== undefined) p.autoDelete = body['auto_delete'] === true;
      return { status: 200, body: { primary_ip: this.primaryIpJson(p) } };
    }
    if (method === 'DELETE') {
      if (p.assigneeId !== null) throw new ApiError(422, 'must_be_unassigned', 'primary IP must be unassigned before it is deleted', {});
      this.primaryIps.delete(p.id);
      return { status: 204 };
    }
    throw new ApiError(405, 'method_not_allowed', 'method not allowed');
  }
}
