import { WizardError } from '../errors.js';
import type { GuardFacts } from '../plan/guard-facts.js';
import type { GuardResolution } from '../plan/host-state.js';
import { describeCommand } from '../shell/describe-command.js';
import type { ProveAccess, ProveResult } from './access.js';
import type { Emit } from './events.js';
import { decideGuard, disarmCommand, forgetCommand, guardFoundText, isReverting, revertNowCommand, waitRevertCommand, type GuardDecision } from './guards.js';
import type { Runner } from './runner.js';

export interface ResolveContext {
  readonly emit: Emit;
  readonly redact: (text: string) => string;
  readonly proveAccess?: ProveAccess;
}

export interface ResolveOutcome {
  readonly resolved: readonly GuardResolution[];
  /** Something was reverted: the host's state changed, plan again before anything else. */
  readonly changed: boolean;
}

/**
 * Resolve every guard found on a host whose lock this run holds, before anything else happens
 * there: the run that armed them is gone (or its lock was broken), so none of them will ever be
 * disarmed by it. Each is shown, then disarmed when its change is proven safe now (decideGuard),
 * else reverted now and waited for. A guard whose revert fails stops the host: its state is unknown.
 */
export async function resolveGuards(runner: Runner, guards: readonly GuardFacts[], ctx: ResolveContext): Promise<ResolveOutcome> {
  const host = runner.host;
  const resolved: GuardResolution[] = [];
  let changed = false;
  // Newest first, like an undo stack: each revert returns to the state before its own step.
  for (const guard of [...guards].sort((a, b) => a.age - b.age)) {
    const step = guard.meta?.step ?? guard.unit;
    const base = { host, step, unit: guard.unit, seconds: guard.meta?.seconds ?? 0, ...(guard.meta ? { armedBy: guard.meta.runId } : {}) };
    ctx.emit({ type: 'guard', ...base, action: 'found', reason: ctx.redact(guardFoundText(guard)) });
    const exec = async (command: ReturnType<typeof waitRevertCommand>) => {
      ctx.emit({ type: 'command', host, step, stage: 'guard', command: ctx.redact(describeCommand(command)) });
      return runner.exec(command);
    };
    let timerActive = guard.timer === 'active';
    if (isReverting(guard)) {
      // Its timer fired a moment ago: let the revert finish, then judge what is left.
      const waited = await exec(waitRevertCommand(guard.unit, guard.path));
      if (waited.stdout.trim() === 'gone') {
        changed = true;
        const reason = 'its timer reverted the step while this run started';
        resolved.push({ step, unit: guard.unit, ...(guard.meta ? { armedBy: guard.meta.runId } : {}), action: 'reverted', reason });
        ctx.emit({ type: 'guard', ...base, action: 'reverted', reason });
        continue;
      }
      timerActive = false;
    }
    const decision = await decide(runner, guard, ctx);
    if (decision.action === 'disarm') {
      const command = timerActive ? disarmCommand(guard.unit, guard.path) : forgetCommand(guard.path);
      const result = await exec(command);
      if (result.code !== 0) throw guardError(host, step, 'could not be disarmed', result.stderr, ctx.redact);
    } else {
      const result = await exec(revertNowCommand(guard.unit, guard.path));
      if (result.code !== 0) throw guardError(host, step, `could not be reverted (${decision.reason})`, result.stderr, ctx.redact);
      changed = true;
    }
    const action = decision.action === 'disarm' ? 'disarmed' : 'reverted';
    const reason = ctx.redact(decision.reason);
    resolved.push({ step, unit: guard.unit, ...(guard.meta ? { armedBy: guard.meta.runId } : {}), action, reason });
    ctx.emit({ type: 'guard', ...base, action, reason });
  }
  return { resolved, changed };
}

/** The evidence for decideGuard: a new login as the step proves it, then its keep check (`sshd -t`). */
async function decide(runner: Runner, guard: GuardFacts, ctx: ResolveContext): Promise<GuardDecision> {
  const meta = guard.meta;
  if (!meta || !ctx.proveAccess) return decideGuard(meta, undefined, undefined);
  let proof: ProveResult;
  try {
    proof = await ctx.proveAccess(runner.host, meta.prove);
  } catch (error) {
    proof = { ok: false, target: runner.target, reason: error instanceof Error ? error.message : String(error) };
  }
  ctx.emit({ type: 'proof', host: runner.host, step: meta.step, target: proof.target, ok: proof.ok, ...(proof.ok ? {} : { reason: ctx.redact(proof.reason) }) });
  const keep = proof.ok && meta.keepIf ? { ok: (await runner.exec({ argv: meta.keepIf })).code === 0 } : undefined;
  return decideGuard(meta, proof, keep);
}

function guardError(host: string, step: string, what: string, stderr: string, redact: (text: string) => string): WizardError {
  const tail = redact(stderr).trim().split('\n').slice(-3).join(' | ');
  return new WizardError(
    'guard-failed',
    `${host}: the guard of ${step} left by an earlier run ${what}${tail ? `: ${tail}` : ''}`,
    'nothing else was changed on this host; check it over SSH (the revert script is in the project\'s guards folder), then run apply again',
  );
}
