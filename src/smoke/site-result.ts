import type { SiteCheck } from './checks.js';
import type { CheckResult } from './results.js';

/** What an HTTPS request to a site gave, as the adapter saw it. */
export type SiteOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly cert?: { readonly validFrom: string; readonly validTo: string } }
  /** No route, timeout: the operator cannot reach the host from here (a firewall, not on the VPN). */
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** Reached, but wrong: refused connection, TLS not valid, protocol error. */
  | { readonly kind: 'error'; readonly reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates closer to their end than this are a warning (Let's Encrypt renews 30 days before). */
export const CERT_WARN_DAYS = 14;

function remaining(ms: number): string {
  if (ms >= DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  const hours = Math.floor(ms / (60 * 60 * 1000));
  return hours >= 1 ? `${hours} h` : `${Math.max(0, Math.floor(ms / 60_000))} min`;
}

/**
 * A WARN when the certificate expires in less than 14 days, or, for short-lived certificates
 * (Caddy's internal CA issues 12-hour ones), when less than a third of its life is left: both are
 * past the point where the issuer renews, so renewal is failing.
 */
export function certWarning(cert: { validFrom: string; validTo: string } | undefined, now: Date): string | undefined {
  if (!cert) return undefined;
  const to = Date.parse(cert.validTo);
  const from = Date.parse(cert.validFrom);
  if (Number.isNaN(to)) return undefined;
  const left = to - now.getTime();
  const lifetime = Number.isNaN(from) ? Infinity : to - from;
  const threshold = Math.min(CERT_WARN_DAYS * DAY_MS, lifetime / 3);
  return left < threshold ? `certificate expires in ${remaining(left)} (${cert.validTo}): renewal is not happening` : undefined;
}

export function evaluateSite(check: SiteCheck, outcome: SiteOutcome, now: Date): CheckResult {
  const base = { id: check.id, service: check.service, where: 'operator' as const, describe: check.describe };
  if (outcome.kind === 'unreachable') return { ...base, status: 'SKIP', reason: `cannot reach the host from here: ${outcome.reason}` };
  if (outcome.kind === 'error') return { ...base, status: 'FAIL', reason: outcome.reason };
  const warning = certWarning(outcome.cert, now);
  const pass = (reason: string): CheckResult => (warning ? { ...base, status: 'WARN', reason: `${reason}; ${warning}` } : { ...base, status: 'PASS', reason });
  if (check.expectRefused) {
    if (outcome.status === 403) return pass('refused outside the VPN range (403), certificate valid');
    if (outcome.status >= 200 && outcome.status < 400) return { ...base, status: 'FAIL', reason: `VPN-only site answered ${outcome.status} from outside the VPN range: the ACL does not protect it` };
    return { ...base, status: 'FAIL', reason: `expected Caddy's 403 outside the VPN range, got ${outcome.status}` };
  }
  if (check.expectStatus.includes(outcome.status)) return pass(`status ${outcome.status}, certificate valid`);
  return { ...base, status: 'FAIL', reason: `status ${outcome.status}, expected ${check.expectStatus.join(' or ')}` };
}
