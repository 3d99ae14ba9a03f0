import type { SiteCheck } from './checks.js';
import type { CheckResult } from './results.js';

/** What an HTTPS request to a site gave, as the adapter saw it. */
export type SiteOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly cert?: ServedCertificate }
  /** No route, timeout: the operator cannot reach the host from here (a firewall, not on the VPN). */
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** Reached, but wrong: refused connection, TLS not valid, protocol error. */
  | { readonly kind: 'error'; readonly reason: string };

/** The leaf certificate a site served, after its chain was verified against the expected roots. */
export interface ServedCertificate {
  readonly validFrom: string;
  readonly validTo: string;
  /** The issuer's common name (or organisation), when it has one. */
  readonly issuer?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** When the certificate's start is unknown: Let's Encrypt renews 30 days before the end. */
export const CERT_WARN_DAYS = 30;

function remaining(ms: number): string {
  if (ms >= DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  const hours = Math.floor(ms / (60 * 60 * 1000));
  return hours >= 1 ? `${hours} h` : `${Math.max(0, Math.floor(ms / 60_000))} min`;
}

/**
 * A WARN in the last third of the certificate's life (30 days of Let's Encrypt's 90, 4 hours of
 * Caddy's internal 12): Caddy and lego renew before that point, so a certificate still served
 * there means renewal is failing.
 */
export function certWarning(cert: ServedCertificate | undefined, now: Date): string | undefined {
  if (!cert) return undefined;
  const to = Date.parse(cert.validTo);
  const from = Date.parse(cert.validFrom);
  if (Number.isNaN(to)) return undefined;
  const left = to - now.getTime();
  const threshold = Number.isNaN(from) ? CERT_WARN_DAYS * DAY_MS : (to - from) / 3;
  return left < threshold ? `certificate expires in ${remaining(left)} (${cert.validTo}), in the last third of its life: renewal is not happening` : undefined;
}

/** `certificate valid until 2027-03-02 (Pebble Intermediate CA)`: what a passing site check shows. */
function certText(cert: ServedCertificate | undefined): string {
  if (!cert) return 'certificate valid';
  return `certificate valid until ${cert.validTo.slice(0, 10)}${cert.issuer ? ` (${cert.issuer})` : ''}`;
}

export function evaluateSite(check: SiteCheck, outcome: SiteOutcome, now: Date): CheckResult {
  const base = { id: check.id, service: check.service, where: 'operator' as const, describe: check.describe };
  if (outcome.kind === 'unreachable') return { ...base, status: 'SKIP', reason: `cannot reach the host from here: ${outcome.reason}` };
  if (outcome.kind === 'error') return { ...base, status: 'FAIL', reason: outcome.reason };
  const warning = certWarning(outcome.cert, now);
  const pass = (reason: string): CheckResult => (warning ? { ...base, status: 'WARN', reason: `${reason}; ${warning}` } : { ...base, status: 'PASS', reason });
  if (check.expectRefused) {
    if (outcome.status === 403) return pass(`refused outside the VPN range (403), ${certText(outcome.cert)}`);
    if (outcome.status >= 200 && outcome.status < 400) return { ...base, status: 'FAIL', reason: `VPN-only site answered ${outcome.status} from outside the VPN range: the ACL does not protect it` };
    return { ...base, status: 'FAIL', reason: `expected Caddy's 403 outside the VPN range, got ${outcome.status}` };
  }
  if (check.expectStatus.includes(outcome.status)) return pass(`status ${outcome.status}, ${certText(outcome.cert)}`);
  return { ...base, status: 'FAIL', reason: `status ${outcome.status}, expected ${check.expectStatus.join(' or ')}` };
}
