import type { GuardReport } from '../engine/access.js';
import type { RunEvent } from '../engine/events.js';

type StepDone = Extract<RunEvent, { type: 'step-done' }>;
type GuardEvent = Extract<RunEvent, { type: 'guard' }>;
type HostProblem = Extract<RunEvent, { type: 'host-problem' }>;
type HostDone = Extract<RunEvent, { type: 'host-done' }>;

/** What happened, collected from the events, for the report after the tree. */
export class RunRecord {
  readonly failures: StepDone[] = [];
  readonly problems: HostProblem[] = [];
  readonly hosts: HostDone[] = [];
  private cloudChanged = 0;
  private cloudUnchanged = 0;

  add(event: RunEvent): void {
    if (event.type === 'cloud-change') {
      if (event.action === '=') this.cloudUnchanged++;
      else this.cloudChanged++;
    } else if (event.type === 'step-done' && event.result === 'failed') this.failures.push(event);
    else if (event.type === 'host-problem') this.problems.push(event);
    else if (event.type === 'host-done') this.hosts.push(event);
  }

  get changed(): number {
    return this.hosts.reduce((n, h) => n + h.changed, this.cloudChanged);
  }

  get unchanged(): number {
    return this.hosts.reduce((n, h) => n + h.unchanged, this.cloudUnchanged);
  }

  get failedHosts(): string[] {
    return [...new Set([...this.problems.map((p) => p.host), ...this.hosts.filter((h) => h.result === 'failed').map((h) => h.host)])];
  }
}

/**
 * The failure report: for each failed step, the step, the command (redacted), its exit code, the
 * last 20 lines of its stderr, and where the full log is.
 */
export function renderFailures(record: RunRecord, logPath: string): string {
  const out: string[] = [];
  for (const p of record.problems) out.push(`✖ ${p.message}`, `    hint: ${p.hint}`, '');
  for (const f of record.failures) {
    const e = f.error;
    out.push(`✖ ${f.host}: step ${f.step} failed${e?.stage ? ` (${e.stage})` : ''}`);
    if (e?.command) out.push(`    command:   ${e.command}`, `    exit code: ${e.exitCode ?? '?'}`);
    else if (e) out.push(`    ${e.message}`);
    if (e && e.stderrTail.length > 0) out.push(`    stderr (last ${e.stderrTail.length} line${e.stderrTail.length === 1 ? '' : 's'}):`, ...e.stderrTail.map((l) => `      ${l}`));
    if (e?.guard) out.push(...guardLines(e.guard));
    if (e?.hint) out.push(`    hint:      ${e.hint}`);
    out.push(`    full log:  ${logPath}`, '');
  }
  for (const h of record.hosts) if (h.warning) out.push(`! ${h.warning}`, '');
  return out.join('\n');
}

export function renderSummary(record: RunRecord, hostCount: number, interrupted: boolean): string {
  const failed = record.failedHosts.length;
  const verdict = interrupted ? 'Apply stopped' : failed > 0 ? 'Apply failed' : 'Apply complete';
  return `${verdict}: ${record.changed} changed, ${record.unchanged} unchanged on ${hostCount} host${hostCount === 1 ? '' : 's'}${failed > 0 ? `; failed: ${record.failedHosts.join(', ')}` : ''}.`;
}

/** What became of a guarded change: reverted or not, and whether the old login still works. */
export function guardLines(guard: GuardReport): string[] {
  const out = guard.revertOk
    ? [`    reverted:  ${guard.reverted.join('; ')}`]
    : [
        `    NOT reverted from here (the connection failed): the timer ${guard.unit}.timer on the host runs`,
        `               ${guard.reverted.join('; ')} within ${guard.seconds} s of the step's start`,
      ];
  if (guard.access?.ok) out.push(`    access:    still reachable as ${guard.access.target} (proven by a new connection)`);
  else if (guard.access) out.push(`    access:    a new connection as ${guard.access.target} failed too (${guard.access.reason}); wait ${guard.seconds} s for the timer, then try again`);
  return out;
}

/** A line for a guard an earlier run left on a host (`found`), and for what this run did with it. */
export function guardEventLine(event: GuardEvent): string {
  if (event.action === 'found') return `${event.host}: found the ${event.reason ?? `guard ${event.unit}`}`;
  return `${event.host}: guard of ${event.step} ${event.action}${event.reason ? `: ${event.reason}` : ''}`;
}
