import type { Secret } from '../../lib/secret.js';
import { HcloudError, hintFor } from './errors.js';
import type { HcloudAction } from './types.js';

export interface HcloudClientOptions {
  /** `https://api.hetzner.cloud/v1`, or a local fake (like the official CLI's HCLOUD_ENDPOINT). */
  readonly endpoint: string;
  readonly token: Secret;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Told about every wait (rate limit, retry), so the operator never stares at a silent screen. */
  readonly onWait?: (message: string) => void;
  readonly maxRetries?: number;
  /** Retries when the API cannot be reached at all (default maxRetries); `plan` tries once. */
  readonly networkRetries?: number;
  /** How long one request may take (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Longest wait for a rate-limit reset before giving up. */
  readonly maxRateLimitWaitMs?: number;
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly details?: unknown };
}

const RETRYABLE = new Set(['conflict', 'rate_limit_exceeded', 'bad_gateway', 'timeout', 'server_error', 'unavailable']);

/**
 * A small typed client on fetch (not hcloud-js: stack-notes §7). Retries like hcloud-go: 5xx,
 * `conflict` and `timeout` with exponential backoff; a 429 waits until `RateLimit-Reset`.
 * `locked` and `uniqueness_error` are not retried.
 */
export class HcloudClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: HcloudClientOptions) {
    this.base = options.endpoint.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const maxRetries = this.options.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.doFetch(`${this.base}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${this.options.token.reveal()}`,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        });
      } catch (error) {
        // fetch says only "fetch failed": the cause's code (ECONNREFUSED, ENOTFOUND …) or the timeout is what helps.
        const why = (error as Error).name === 'TimeoutError' ? `no answer within ${Math.round((this.options.requestTimeoutMs ?? 30_000) / 1000)} s` : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
        if (attempt >= (this.options.networkRetries ?? maxRetries)) {
          throw new HcloudError(0, 'network', `cannot reach ${new URL(this.base).host}: ${why}`, 'check the network and providers.hetzner.endpoint in the profile');
        }
        await this.backoff(attempt, `cannot reach the Hetzner API (${why})`);
        continue;
      }
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (res.ok) return json as T;
      const error = (json as ErrorBody | undefined)?.error;
      const code = error?.code ?? (res.status >= 500 ? 'server_error' : 'unknown');
      const message = error?.message ?? `HTTP ${res.status}`;
      if (res.status === 429 || code === 'rate_limit_exceeded') {
        if (attempt >= maxRetries) throw new HcloudError(res.status, code, message, 'the Hetzner project is over its request budget; run again in a few minutes');
        await this.waitForReset(res);
        continue;
      }
      if ((res.status >= 500 || RETRYABLE.has(code)) && attempt < maxRetries) {
        await this.backoff(attempt, `the Hetzner API answered ${code} (HTTP ${res.status})`);
        continue;
      }
      throw new HcloudError(res.status, code, message, hintFor(code), error?.details ?? null);
    }
  }

  private async backoff(attempt: number, why: string): Promise<void> {
    const ms = Math.min(1000 * 2 ** attempt, 30_000);
    this.options.onWait?.(`${why}; retrying in ${Math.round(ms / 1000)} s`);
    await this.sleep(ms);
  }

  private async waitForReset(res: Response): Promise<void> {
    const reset = Number(res.headers.get('ratelimit-reset'));
    const untilReset = Number.isFinite(reset) && reset > 0 ? reset * 1000 - this.now() : 1000;
    const max = this.options.maxRateLimitWaitMs ?? 10 * 60_000;
    if (untilReset > max) {
      throw new HcloudError(429, 'rate_limit_exceeded', `request budget used up until ${new Date(reset * 1000).toISOString()}`, 'run again after that time');
    }
    const ms = Math.max(untilReset, 1000);
    this.options.onWait?.(`Hetzner rate limit reached; waiting ${Math.ceil(ms / 1000)} s for it to reset`);
    await this.sleep(ms);
  }

  /** Every item of a paginated list (50 a page, following meta.pagination.next_page). */
  async list<T>(path: string, key: string, query: Record<string, string> = {}): Promise<T[]> {
    const out: T[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const params = new URLSearchParams({ ...query, page: String(page), per_page: '50' });
      const body: Record<string, unknown> & { meta?: { pagination?: { next_page: number | null } } } = await this.request('GET', `${path}?${params}`);
      out.push(...((body[key] as T[] | undefined) ?? []));
      page = body.meta?.pagination?.next_page ?? null;
    }
    return out;
  }

  /** Polls an action until it leaves `running`, backing off up to 5 s so the hourly budget lasts. */
  async waitForAction(action: HcloudAction, options: { timeoutMs?: number; what?: string } = {}): Promise<HcloudAction> {
    const deadline = this.now() + (options.timeoutMs ?? 10 * 60_000);
    let current = action;
    for (let delay = 500; current.status === 'running'; delay = Math.min(delay * 2, 5000)) {
      if (this.now() > deadline) {
        throw new HcloudError(0, 'timeout', `${options.what ?? current.command} did not finish in time (still at ${current.progress} %)`, 'look at the server in the Hetzner Console; running apply again resumes');
      }
      await this.sleep(delay);
      current = (await this.request<{ action: HcloudAction }>('GET', `/actions/${current.id}`)).action;
    }
    if (current.status === 'error') {
      throw new HcloudError(0, current.error?.code ?? 'action_failed', `${options.what ?? current.command} failed: ${current.error?.message ?? 'no reason given'}`, 'run apply again; if it fails the same way, check the Hetzner Console');
    }
    return current;
  }
}
