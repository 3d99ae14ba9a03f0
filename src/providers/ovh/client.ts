import type { Secret } from '../../lib/secret.js';
import { WizardError } from '../../errors.js';
import { ovhBaseUrl, ovhSignature } from './sign.js';

export interface OvhCredentials {
  readonly applicationKey: Secret;
  readonly applicationSecret: Secret;
  readonly consumerKey: Secret;
}

export interface OvhClientOptions {
  /** `ovh-eu`, `ovh-ca`, `ovh-us`, or a URL (a local fake in tests). */
  readonly endpoint: string;
  readonly credentials: OvhCredentials;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class OvhError extends WizardError {
  constructor(readonly status: number, message: string, hint: string) {
    super('provider-error', `OVH API: ${message} (HTTP ${status})`, hint);
    this.name = 'OvhError';
  }
}

/**
 * Signed calls to the OVH API (apis.md §3.2): the clock delta comes from /auth/time once; an
 * invalid signature re-syncs it and retries once, since clock drift is the usual cause.
 */
export class OvhClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private delta: number | undefined;

  constructor(private readonly options: OvhClientOptions) {
    this.base = ovhBaseUrl(options.endpoint);
    this.doFetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private async syncTime(): Promise<number> {
    const res = await this.doFetch(`${this.base}/auth/time`, { headers: { 'X-Ovh-Application': this.options.credentials.applicationKey.reveal() }, signal: AbortSignal.timeout(15_000) });
    const server = Number(await res.text());
    if (!res.ok || !Number.isFinite(server)) throw new OvhError(res.status, '/auth/time gave no time', 'check providers.ovh.endpoint in the profile');
    this.delta = server - Math.floor(this.now() / 1000);
    return this.delta;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const delta = this.delta ?? (await this.syncTime());
      const url = `${this.base}${path}`;
      const payload = body === undefined ? '' : JSON.stringify(body);
      const timestamp = Math.floor(this.now() / 1000) + delta;
      const { applicationKey, applicationSecret, consumerKey } = this.options.credentials;
      const res = await this.doFetch(url, {
        method,
        headers: {
          'X-Ovh-Application': applicationKey.reveal(),
          'X-Ovh-Consumer': consumerKey.reveal(),
          'X-Ovh-Timestamp': String(timestamp),
          'X-Ovh-Signature': ovhSignature({ applicationSecret: applicationSecret.reveal(), consumerKey: consumerKey.reveal(), method, url, body: payload, timestamp }),
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json;charset=utf-8' } : {}),
        },
        ...(payload ? { body: payload } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = text;
      }
      if (res.ok) return json as T;
      const error = (json ?? {}) as { errorCode?: string; message?: string; class?: string };
      if (attempt === 0 && error.errorCode === 'INVALID_SIGNATURE') {
        this.delta = undefined;
        continue;
      }
      if ((res.status >= 500 || res.status === 429) && attempt < 4) {
        await this.sleep(1000 * 2 ** attempt);
        continue;
      }
      const message = error.message ?? (typeof json === 'string' ? json.slice(0, 200) : `HTTP ${res.status}`);
      const auth = res.status === 401 || res.status === 403 || /^(INVALID_|NOT_)/.test(error.errorCode ?? '');
      throw new OvhError(
        res.status,
        message,
        auth
          ? 'check ovh.applicationKey, ovh.applicationSecret and ovh.consumerKey in the vault; the consumer key needs GET/POST/PUT/DELETE on /domain/zone/*'
          : 'run again later; if it persists, check the OVH status page',
      );
    }
  }
}
