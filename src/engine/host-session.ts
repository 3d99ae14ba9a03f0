import { WizardError } from '../errors.js';
import { planDigest } from '../plan/digest.js';
import type { AuditEntry, GuardResolution, LockInfo } from '../plan/host-state.js';
import type { HostPlan } from '../plan/plan.js';
import { summarize } from '../plan/plan.js';
import type { Step } from '../plan/step.js';
import { LockHeldError } from './errors.js';
import type { ProveAccess } from './access.js';
import type { Emit } from './events.js';
import { executeSteps, type ExecuteOutcome } from './executor.js';
import { hostPlanFromReport, probeRequest } from './planner.js';
import { resolveGuards } from './resolve-guards.js';
import type { ProbeReport, ProbeRequest, Runner } from './runner.js';

export type LockHolder = LockInfo | { readonly unreadable: string };

/** The flow's answer when a host is locked: take it over (break it), or refuse with an optional staleness note. */
export type LockDecision = { readonly takeOver: string; readonly note: string } | { readonly refuse: true; readonly stale?: string; readonly inProgress?: boolean };

export interface SessionContext {
  readonly runId: string;
  readonly project: string;
  readonly lockInfo: LockInfo;
  readonly emit: Emit;
  readonly redact: (text: string) => string;
  readonly now: () => Date;
  readonly audit: { readonly who: string; readonly command: string; readonly profile: string };
  readonly onLockHeld: (host: string, holder: LockHolder) => Promise<LockDecision>;
  /** Opens a second connection to prove access after a risky step (the ssh adapter's). */
  readonly proveAccess?: ProveAccess;
}

/** A host whose lock this run holds, with the plan made under that lock. */
export interface HostSession {
  readonly runner: Runner;
  readonly steps: readonly Step[];
  readonly plan: HostPlan;
  /** Whose lock was broken to start, for the audit line. */
  readonly brokeLock?: string;
  /** Guards of earlier runs found and resolved before planning, for the audit line. */
  readonly guards?: readonly GuardResolution[];
}

function holderText(holder: LockHolder): string {
  return 'unreadable' in holder ? holder.unreadable : `${holder.owner}@${holder.operatorHost} pid ${holder.pid} run ${holder.runId} since ${holder.startedAt}`;
}

/**
 * Take the host's lock and probe every step in the same round trip. A held lock goes to the
 * flow, which decides (stale lock of our own killed run, --break-lock) whether to take it over.
 * Guards that an earlier run left armed are resolved next, before anything else (resolveGuards);
 * when one was reverted, the host is probed again, so the plan starts from what is there now.
 */
/**
 * Steps that can only be made from what is on the host (day-2 commands build on the release that
 * runs there): read with the inventory in the lock's round trip, then planned in a second one.
 */
export interface StepsFromHost {
  readonly inventory: NonNullable<ProbeRequest['inventory']>;
  readonly steps: (report: ProbeReport) => Promise<readonly Step[]>;
}

export async function beginHost(runner: Runner, wanted: readonly Step[] | StepsFromHost, ctx: SessionContext): Promise<HostSession> {
  const fromHost = 'inventory' in wanted ? wanted : undefined;
  let steps: readonly Step[] = fromHost ? [] : (wanted as readonly Step[]);
  const request = fromHost ? probeRequest([], ctx.project, fromHost.inventory) : probeRequest(steps, ctx.project);
  let result = await runner.lockAndProbe(request, { info: ctx.lockInfo });
  let brokeLock: string | undefined;
  if (!result.lock.acquired) {
    const holder = result.lock.holder;
    const decision = await ctx.onLockHeld(runner.host, holder);
    if ('refuse' in decision) throw new LockHeldError(runner.host, holder, decision.stale, decision.inProgress === true);
    result = await runner.lockAndProbe(request, { info: ctx.lockInfo, takeOver: decision.takeOver });
    if (!result.lock.acquired) throw new LockHeldError(runner.host, result.lock.holder, undefined);
    brokeLock = holderText(holder);
  }
  if (!result.report) throw new WizardError('remote-protocol', `${runner.host}: the lock was taken but the probe gave no report`, 'run apply again with --verbose');
  ctx.emit({ type: 'host-locked', host: runner.host, target: runner.target, ...(brokeLock ? { replaced: brokeLock } : {}) });
  let report = result.report;
  let guards: readonly GuardResolution[] = [];
  try {
    if (report.guards && report.guards.length > 0) {
      const resolved = await resolveGuards(runner, report.guards, ctx);
      guards = resolved.resolved;
      if (resolved.changed) report = await runner.probe(request);
    }
    if (fromHost) {
      steps = await fromHost.steps(report);
      report = await runner.probe(probeRequest(steps, ctx.project));
    }
  } catch (error) {
    // Nothing else runs on this host: audit what was found and done, and release the lock.
    const planned = fromHost ? [] : steps;
    const failed: HostSession = { runner, steps: planned, plan: hostPlanFromReport(runner.host, runner.target, planned, fromHost ? { ...report, steps: [] } : report), ...(brokeLock ? { brokeLock } : {}), guards };
    await finishHost(failed, { result: 'failed', changed: 0, unchanged: 0 }, ctx);
    throw error;
  }
  const plan = hostPlanFromReport(runner.host, runner.target, steps, report);
  const s = summarize([plan]);
  ctx.emit({ type: 'host-plan', host: runner.host, add: s.add, change: s.change, destroy: s.destroy, unchanged: s.unchanged });
  return { runner, steps, plan, ...(brokeLock ? { brokeLock } : {}), ...(guards.length > 0 ? { guards } : {}) };
}

export interface HostOutcome extends ExecuteOutcome {
  readonly host: string;
  /** The audit line or the lock release failed: said after the run, never hidden. */
  readonly warning?: string;
}

/** Append the audit line and release the lock; a failure here is a warning, the run's result stands. */
export async function finishHost(session: HostSession, outcome: ExecuteOutcome, ctx: SessionContext): Promise<string | undefined> {
  const entry: AuditEntry = {
    at: ctx.now().toISOString(),
    runId: ctx.runId,
    who: ctx.audit.who,
    command: ctx.audit.command,
    profile: ctx.audit.profile,
    planDigest: planDigest(session.plan),
    result: outcome.result,
    changed: outcome.changed,
    ...(outcome.failedStep ? { failedStep: outcome.failedStep } : {}),
    ...(session.brokeLock ? { brokeLock: session.brokeLock } : {}),
    ...(session.guards && session.guards.length > 0 ? { guards: session.guards } : {}),
  };
  try {
    await session.runner.finish(ctx.project, entry, ctx.runId);
    return undefined;
  } catch (error) {
    return ctx.redact(`could not write the audit line or release the lock on ${session.runner.host}: ${error instanceof Error ? error.message : String(error)}; your next apply from this machine takes the lock over`);
  }
}

/** Execute a begun host to the end, then always audit and release. */
export async function runHost(session: HostSession, ctx: SessionContext, options: { readonly allowDestroy: boolean; readonly signal: AbortSignal }): Promise<HostOutcome> {
  let outcome: ExecuteOutcome;
  try {
    outcome = await executeSteps(session.runner, session.steps, session.plan, { project: ctx.project, allowDestroy: options.allowDestroy, signal: options.signal, emit: ctx.emit, redact: ctx.redact, runId: ctx.runId, ...(ctx.proveAccess ? { proveAccess: ctx.proveAccess } : {}) });
  } catch (error) {
    // A transport failure (the connection dropped) lands here: the host failed, the others go on.
    outcome = { result: 'failed', changed: 0, unchanged: 0, error };
  }
  const warning = await finishHost(session, outcome, ctx);
  ctx.emit({
    type: 'host-done',
    host: session.runner.host,
    result: outcome.result,
    changed: outcome.changed,
    unchanged: outcome.unchanged,
    ...(outcome.failedStep ? { failedStep: outcome.failedStep } : {}),
    ...(warning ? { warning } : {}),
  });
  return { ...outcome, host: session.runner.host, ...(warning ? { warning } : {}) };
}

/** Release a begun host without running it (the gate refused, or fail-fast stopped the run first). */
export async function abandonHost(session: HostSession, ctx: SessionContext): Promise<HostOutcome> {
  const outcome: ExecuteOutcome = { result: 'aborted', changed: 0, unchanged: 0 };
  const warning = await finishHost(session, outcome, ctx);
  ctx.emit({ type: 'host-done', host: session.runner.host, result: 'aborted', changed: 0, unchanged: 0, ...(warning ? { warning } : {}) });
  return { ...outcome, host: session.runner.host, ...(warning ? { warning } : {}) };
}
