import { WizardError } from '../errors.js';
import type { Step } from '../plan/step.js';
import { abandonHost, beginHost, runHost, type HostOutcome, type HostSession, type SessionContext, type StepsFromHost } from './host-session.js';
import { mapLimited } from './limit.js';
import type { Runner } from './runner.js';

export interface ApplyTarget {
  readonly host: string;
  /** The host's steps; or how to make them from what the lock's probe reads there (day-2 commands). */
  readonly steps: readonly Step[] | StepsFromHost;
  /** Connects (or fails: not provisioned, unreachable, host key). Called once. */
  readonly runner: () => Promise<Runner>;
}

export interface ApplyRunOptions {
  readonly ctx: SessionContext;
  readonly concurrency: number;
  /** The first failed host stops the others at their next step; hosts not started yet do not start. */
  readonly failFast: boolean;
  readonly allowDestroy: boolean;
  /** Ctrl+C / SIGTERM: every host stops at its next step boundary. */
  readonly signal: AbortSignal;
  /**
   * Called with every host that is locked and planned, before anything changes: throw to stop
   * (every lock is then released and audited as aborted); return true to allow destructive steps.
   */
  readonly gate: (sessions: readonly HostSession[]) => Promise<boolean>;
  /** Called once the gate passed, just before the first change: the flow starts drawing here. */
  readonly onStart?: (sessions: readonly HostSession[]) => void;
  /** Errors that end the whole run instead of failing one host (the operator aborted a prompt). */
  readonly isFatal?: (error: unknown) => boolean;
}

export interface ApplyRunResult {
  readonly sessions: readonly HostSession[];
  readonly outcomes: readonly HostOutcome[];
  /** Hosts that never got their lock: unreachable, refused, locked by someone else. */
  readonly problems: readonly string[];
}

/**
 * The whole apply over many hosts: connect, lock and probe each (up to `concurrency` at once),
 * pass the gate, then run each host's steps in order, hosts side by side. A failing host does not
 * stop the others unless failFast. Every host that was locked is audited and released, whatever
 * happens after.
 */
export async function runApply(targets: readonly ApplyTarget[], options: ApplyRunOptions): Promise<ApplyRunResult> {
  const { ctx } = options;
  const problems: string[] = [];
  let fatal: { error: unknown } | undefined;
  const begun = await mapLimited(targets, options.concurrency, async (target): Promise<HostSession | undefined> => {
    if (fatal) return undefined; // the operator stopped the run: do not connect to more hosts
    try {
      return await beginHost(await target.runner(), target.steps, ctx);
    } catch (error) {
      if (options.isFatal?.(error)) {
        fatal ??= { error };
        return undefined;
      }
      const problem = error instanceof WizardError ? error : new WizardError('internal', `${target.host}: ${error instanceof Error ? error.message : String(error)}`, 'this is a bug in homelab-wizard; run again with --verbose and report it');
      ctx.emit({ type: 'host-problem', host: target.host, code: problem.code, message: ctx.redact(problem.message), hint: problem.hint });
      problems.push(target.host);
      return undefined;
    }
  });
  const sessions = begun.filter((s): s is HostSession => s !== undefined);

  let allowDestroy = options.allowDestroy;
  try {
    if (fatal) throw fatal.error;
    allowDestroy = (await options.gate(sessions)) || allowDestroy;
  } catch (error) {
    await Promise.all(sessions.map((s) => abandonHost(s, ctx)));
    throw error;
  }

  options.onStart?.(sessions);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  // With failFast, a host that could not even be locked is a failure too: nobody starts.
  if (options.signal.aborted || (options.failFast && problems.length > 0)) stop.abort();
  try {
    const outcomes = await mapLimited(sessions, options.concurrency, async (session) => {
      if (stop.signal.aborted) return abandonHost(session, ctx);
      const outcome = await runHost(session, ctx, { allowDestroy, signal: stop.signal });
      if (outcome.result === 'failed' && options.failFast) stop.abort();
      return outcome;
    });
    return { sessions, outcomes, problems };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
}
