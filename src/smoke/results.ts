/** Smoke results: pure data, their rendering and the exit code. */
export const SMOKE_STATUSES = ['PASS', 'FAIL', 'WARN', 'SKIP'] as const;
export type SmokeStatus = (typeof SMOKE_STATUSES)[number];

export interface CheckResult {
  readonly id: string;
  readonly service: string;
  /** Where it ran: on the host (one SSH round trip) or from the operator's machine (through Caddy). */
  readonly where: 'host' | 'operator';
  readonly describe: string;
  readonly status: SmokeStatus;
  /** Why, always: what was seen, or why the check could not run. Never a secret. */
  readonly reason: string;
}

export interface HostSmoke {
  readonly host: string;
  /** `user@address:port` reached, when the host was reached. */
  readonly target?: string;
  readonly results: readonly CheckResult[];
}

export type SmokeCounts = Readonly<Record<SmokeStatus, number>>;

export function countResults(hosts: readonly HostSmoke[]): SmokeCounts {
  const counts: Record<SmokeStatus, number> = { PASS: 0, FAIL: 0, WARN: 0, SKIP: 0 };
  for (const h of hosts) for (const r of h.results) counts[r.status]++;
  return counts;
}

/** The checks that make the run fail: every FAIL, and every WARN under --strict. */
export function failingResults(hosts: readonly HostSmoke[], strict: boolean): { host: string; result: CheckResult }[] {
  return hosts.flatMap((h) => h.results.filter((r) => r.status === 'FAIL' || (strict && r.status === 'WARN')).map((result) => ({ host: h.host, result })));
}

/** 0 when nothing failed (warnings allowed unless strict), 1 otherwise. */
export function smokeExitCode(hosts: readonly HostSmoke[], strict: boolean): 0 | 1 {
  return failingResults(hosts, strict).length > 0 ? 1 : 0;
}

/** One table per host, one line per check: status, check id, reason. */
export function renderSmokeTable(hosts: readonly HostSmoke[]): string {
  const out: string[] = [];
  for (const h of hosts) {
    out.push(`${h.host}${h.target ? ` (${h.target})` : ''}`);
    if (h.results.length === 0) out.push('  (no checks: no enabled service has any)');
    const width = Math.max(0, ...h.results.map((r) => r.id.length));
    for (const r of h.results) out.push(`  ${r.status.padEnd(4)}  ${r.id.padEnd(width)}  ${r.reason}`);
    out.push('');
  }
  return out.join('\n');
}

export function renderSmokeSummary(hosts: readonly HostSmoke[], strict: boolean): string {
  const c = countResults(hosts);
  const verdict = smokeExitCode(hosts, strict) === 0 ? 'Smoke passed' : 'Smoke FAILED';
  return `${verdict}: ${c.PASS} passed, ${c.FAIL} failed, ${c.WARN} warning${c.WARN === 1 ? '' : 's'}${strict && c.WARN > 0 ? ' (failures under --strict)' : ''}, ${c.SKIP} skipped on ${hosts.length} host${hosts.length === 1 ? '' : 's'}.`;
}

/** The failures, for the end of `apply` and `smoke`: host, check and reason. */
export function renderSmokeFailures(hosts: readonly HostSmoke[], strict: boolean): string {
  const failing = failingResults(hosts, strict);
  if (failing.length === 0) return '';
  return `${['Smoke checks that failed:', ...failing.map(({ host, result }) => `  ✖ ${host}: ${result.id} (${result.status}): ${result.reason}`)].join('\n')}\n`;
}

/** `--json`: the structured results. Built from plain strings only, so no secret can be in it. */
export function smokeJson(hosts: readonly HostSmoke[], strict: boolean): object {
  return {
    ok: smokeExitCode(hosts, strict) === 0,
    strict,
    counts: countResults(hosts),
    hosts: hosts.map((h) => ({
      host: h.host,
      target: h.target ?? null,
      checks: h.results.map((r) => ({ id: r.id, service: r.service, where: r.where, status: r.status, reason: r.reason, describe: r.describe })),
    })),
  };
}
