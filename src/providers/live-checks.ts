import { ovhBaseUrl, ovhSignature } from './ovh/sign.js';

/** The outcome of an optional check made while the operator types credentials in the wizard. */
export interface LiveCheck {
  /** true: the service accepted it; false: it refused (message says why); undefined: not checked. */
  readonly ok: boolean | undefined;
  readonly message: string;
}

const TIMEOUT_MS = 3000;

/** `cancel` is the wizard's Ctrl-C: the check ends at once instead of at its timeout. */
async function get(url: string, headers: Record<string, string>, cancel?: AbortSignal): Promise<Response | LiveCheck> {
  const signal = cancel ? AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), cancel]) : AbortSignal.timeout(TIMEOUT_MS);
  try {
    return await fetch(url, { headers, signal });
  } catch (error) {
    if (cancel?.aborted) return { ok: undefined, message: 'check cancelled' };
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ok: undefined, message: `${new URL(url).host} did not answer (${cause})` };
  }
}

export async function checkHetznerToken(endpoint: string, token: string, cancel?: AbortSignal): Promise<LiveCheck> {
  const res = await get(`${endpoint.replace(/\/+$/, '')}/locations?per_page=1`, { Authorization: `Bearer ${token}` }, cancel);
  if (!(res instanceof Response)) return res;
  if (res.ok) return { ok: true, message: 'Hetzner accepted the token' };
  if (res.status === 401) return { ok: false, message: 'Hetzner refused the token (unauthorized): copy it again from the Cloud Console, Security → API tokens' };
  return { ok: undefined, message: `Hetzner answered HTTP ${res.status}` };
}

export async function checkOvhCredentials(
  endpoint: string,
  zone: string,
  credentials: { applicationKey: string; applicationSecret: string; consumerKey: string },
  cancel?: AbortSignal,
): Promise<LiveCheck> {
  const base = ovhBaseUrl(endpoint);
  const time = await get(`${base}/auth/time`, { 'X-Ovh-Application': credentials.applicationKey }, cancel);
  if (!(time instanceof Response)) return time;
  const serverTime = Number(await time.text());
  if (!time.ok || !Number.isFinite(serverTime)) return { ok: undefined, message: `OVH /auth/time answered HTTP ${time.status}` };
  const url = `${base}/domain/zone/${encodeURIComponent(zone)}/soa`;
  const res = await get(url, {
    'X-Ovh-Application': credentials.applicationKey,
    'X-Ovh-Consumer': credentials.consumerKey,
    'X-Ovh-Timestamp': String(serverTime),
    'X-Ovh-Signature': ovhSignature({ ...credentials, method: 'GET', url, body: '', timestamp: serverTime }),
    Accept: 'application/json',
  }, cancel);
  if (!(res instanceof Response)) return res;
  if (res.ok) return { ok: true, message: `OVH accepted the credentials for the zone ${zone}` };
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (res.status === 404) return { ok: false, message: `OVH has no DNS zone ${zone} for these credentials` };
  return { ok: false, message: `OVH refused the credentials (HTTP ${res.status}${body.message ? `: ${body.message}` : ''}); they need GET/POST/PUT/DELETE on /domain/zone/*` };
}

export async function checkHeadscaleUrl(url: string, cancel?: AbortSignal): Promise<LiveCheck> {
  const res = await get(`${url.replace(/\/+$/, '')}/health`, {}, cancel);
  if (!(res instanceof Response)) return res;
  if (res.ok) return { ok: true, message: 'Headscale answered /health' };
  return { ok: false, message: `${new URL(url).host} answered HTTP ${res.status} on /health: is this the Headscale URL?` };
}
