import { WizardError } from '../errors.js';
import { describeCommand } from '../shell/describe-command.js';
import { progressMessage } from '../shell/progress.js';
import type { StepChange } from '../plan/change.js';
import type { Command } from '../plan/command.js';
import { evaluateStep } from '../plan/evaluate.js';
import type { HostPlan } from '../plan/plan.js';
import { stepPhase, type DirSpec, type Step } from '../plan/step.js';
import type { GuardReport, ProveAccess, ProveLogin } from './access.js';
import { armCommand, disarmCommand, guardFiles, guardMeta, guardScript, revertNowCommand } from './guards.js';
import { AccessProofError, DestructiveRefusedError, NotConvergedError, PreconditionError, StepFailedError, type StepStage } from './errors.js';
import type { Emit, HostResult, StepErrorInfo } from './events.js';
import { probeRequest } from './planner.js';
import type { ExecResult, Runner } from './runner.js';

export const STDERR_TAIL_LINES = 20;

/** Make or fix a folder: `install -d` creates missing parents and sets mode and owner of the last one. */
export function makeDirCommand(dir: DirSpec): Command {
  const [user = 'root', group = user] = dir.owner.split(':');
  return { argv: ['install', '-d', '-m', dir.mode, '-o', user, '-g', group, '--', dir.path] };
}

export interface ExecuteOptions {
  readonly project: string;
  readonly allowDestroy: boolean;
  /** Aborted: stop at the next step boundary (fail-fast, Ctrl+C). A running command is never cut. */
  readonly signal: AbortSignal;
  readonly emit: Emit;
  readonly redact: (text: string) => string;
  /** Recorded in the guards this run arms (whose they were, for the run that finds them). */
  readonly runId?: string;
  /** Proves access from a new connection; a step with `prove` fails without it (never skipped). */
  readonly proveAccess?: ProveAccess;
}

export interface ExecuteOutcome {
  readonly result: HostResult;
  readonly changed: number;
  readonly unchanged: number;
  readonly failedStep?: string;
  readonly error?: unknown;
}

export function errorInfo(error: unknown, redact: (text: string) => string, guard?: GuardReport): StepErrorInfo {
  const g = guard ? { guard } : {};
  if (error instanceof StepFailedError) {
    return { code: error.code, message: redact(error.message), stage: error.stage, command: error.command, exitCode: error.remoteExitCode, stderrTail: error.stderrTail, ...g };
  }
  if (error instanceof WizardError) return { code: error.code, message: redact(error.message), stderrTail: [], ...(error instanceof AccessProofError || error instanceof PreconditionError ? { hint: error.hint } : {}), ...g };
  return { code: 'internal', message: redact(error instanceof Error ? error.message : String(error)), stderrTail: [], ...g };
}

function tail(text: string, redact: (text: string) => string): string[] {
  const lines = redact(text).replace(/\n+$/, '').split('\n');
  return lines.length === 1 && lines[0] === '' ? [] : lines.slice(-STDERR_TAIL_LINES);
}

/**
 * Runs the steps of one host in order (DESIGN §3): upload, apply, re-check, verify. The plan was
 * made under this run's lock, so it is fresh until a step changes something; then the re-check
 * after that step probes every later step too, in the same round trip, so a step that an earlier
 * one changed or fixed is judged on fresh facts (pyinfra's stale-fact lesson) at no extra cost.
 * A step that is still not converged after its apply is an error. Stops at the first failure.
 */
export async function executeSteps(runner: Runner, steps: readonly Step[], plan: HostPlan, options: ExecuteOptions): Promise<ExecuteOutcome> {
  const { emit, redact } = options;
  const host = runner.host;
  let changed = 0;
  let unchanged = 0;
  const current: StepChange[] = [...plan.steps];

  const run = async (step: Step, stage: StepStage, command: Command, exec: () => Promise<ExecResult>): Promise<void> => {
    const shown = redact(describeCommand(command));
    emit({ type: 'command', host, step: step.id, stage, command: shown });
    const result = await exec();
    if (result.code !== 0) throw new StepFailedError({ host, stepId: step.id, stage, command: shown, exitCode: result.code, stderrTail: tail(result.stderr, redact) });
  };

  for (const [index, step] of steps.entries()) {
    const state = current[index];
    if (options.signal.aborted) {
      for (const rest of steps.slice(index)) emit({ type: 'step-done', host, step: rest.id, result: 'not-run', reason: 'the run was stopped' });
      return { result: 'aborted', changed, unchanged };
    }
    emit({ type: 'step-start', host, step: step.id, phase: stepPhase(step), action: state?.action ?? '?' });
    let armed: { readonly unit: string; readonly path: string } | undefined;
    try {
      if (!state) throw new WizardError('internal', `${host}: no plan for step ${step.id}`, 'this is a bug in homelab-wizard; report it');
      if (state.action === '=') {
        unchanged++;
        emit({ type: 'step-done', host, step: step.id, result: 'unchanged' });
        continue;
      }
      if (step.risk === 'destructive' && !options.allowDestroy) throw new DestructiveRefusedError(`${host}: step ${step.id}`);
      const output = (stream: 'stdout' | 'stderr') => (line: string) => {
        const message = progressMessage(line);
        emit(message !== undefined ? { type: 'step-progress', host, step: step.id, message: redact(message) } : { type: 'step-output', host, step: step.id, stream, line: redact(line) });
      };
      const sink = { onStdout: output('stdout'), onStderr: output('stderr') };
      if ((step.prove || step.precondition) && !options.proveAccess) throw new WizardError('internal', `${host}: step ${step.id} must prove access, but this run cannot open a second connection`, 'this is a bug in homelab-wizard; report it');
      if (step.precondition && options.proveAccess) {
        // Before anything changes: a restriction to a path that does not work yet is refused.
        const proof = await options.proveAccess(host, step.precondition.prove);
        emit({ type: 'proof', host, step: step.id, target: proof.target, ok: proof.ok, ...(proof.ok ? {} : { reason: redact(proof.reason) }) });
        if (!proof.ok) throw new PreconditionError(host, step.id, proof.target, redact(proof.reason), step.precondition.hint);
      }
      if (step.guard) {
        // Armed before anything changes: from here on, losing this connection reverts the step.
        // The revert is a script file that systemd runs as is; any run of this project finds it.
        const files = guardFiles(options.project, step.id);
        const script = guardScript(guardMeta(step, options.runId ?? 'run'), step.guard.revert, files.path);
        const arm = armCommand(options.project, files.unit, step.guard.seconds, files.path, script);
        await run(step, 'guard', arm, () => runner.exec(arm));
        armed = files;
        emit({ type: 'guard', host, step: step.id, action: 'armed', unit: files.unit, seconds: step.guard.seconds });
      }
      for (const [k, dir] of (step.dirs ?? []).entries()) {
        if (state.dirs?.[k]?.action === 'same') continue;
        const command = makeDirCommand(dir);
        await run(step, 'apply', command, () => runner.exec(command, sink));
      }
      for (const [k, file] of (step.files ?? []).entries()) {
        if (state.files[k]?.action === 'same') continue;
        const command: Command = { argv: ['write', file.path, file.mode, file.owner], stdin: file.content };
        await run(step, 'upload', command, () => runner.upload(file));
      }
      for (const command of step.apply) await run(step, 'apply', command, () => runner.exec(command, sink));
      const rest = steps.slice(index);
      const report = await runner.probe(probeRequest(rest, options.project));
      rest.forEach((s, k) => {
        const facts = report.steps[k];
        if (!facts) throw new WizardError('remote-protocol', `${host}: the re-check gave no result for step ${s.id}`, 'run apply again with --verbose and report the output');
        current[index + k] = evaluateStep(s, facts);
      });
      const after = current[index] as StepChange;
      if (after.action !== '=') throw new NotConvergedError(host, step.id, after.reasons);
      if (step.verify) {
        const verify = step.verify;
        await run(step, 'verify', verify, () => runner.exec(verify, sink));
      }
      if (step.prove && options.proveAccess) {
        const proof = await options.proveAccess(host, step.prove);
        emit({ type: 'proof', host, step: step.id, target: proof.target, ok: proof.ok, ...(proof.ok ? {} : { reason: redact(proof.reason) }) });
        if (!proof.ok) throw new AccessProofError(host, step.id, proof.target, redact(proof.reason));
      }
      if (armed !== undefined) {
        const disarm = disarmCommand(armed.unit, armed.path);
        await run(step, 'guard', disarm, () => runner.exec(disarm));
        emit({ type: 'guard', host, step: step.id, action: 'disarmed', unit: armed.unit, seconds: step.guard?.seconds ?? 0 });
        armed = undefined;
      }
      changed++;
      emit({ type: 'step-done', host, step: step.id, result: 'changed' });
    } catch (error) {
      const guard = armed !== undefined && step.guard ? await revertNow(runner, step, armed, options) : undefined;
      emit({ type: 'step-done', host, step: step.id, result: 'failed', error: errorInfo(error, redact, guard) });
      for (const rest of steps.slice(index + 1)) emit({ type: 'step-done', host, step: rest.id, result: 'not-run', reason: `${step.id} failed` });
      return { result: 'failed', changed, unchanged, failedStep: step.id, error };
    }
  }
  return { result: changed > 0 ? 'ok' : 'no-changes', changed, unchanged };
}

/**
 * A guarded step failed (its proof, a command, or the connection): run its revert now over the
 * existing connection instead of waiting for the timer, stop the timer, then prove that the run's
 * own login still works from a new connection. When the connection itself is gone, the timer
 * on the host still reverts within its delay: said so, never hidden.
 */
async function revertNow(runner: Runner, step: Step, armed: { readonly unit: string; readonly path: string }, options: ExecuteOptions): Promise<GuardReport> {
  const guard = step.guard as NonNullable<Step['guard']>;
  const host = runner.host;
  const unit = armed.unit;
  const command = revertNowCommand(unit, armed.path);
  let revertOk = false;
  try {
    options.emit({ type: 'command', host, step: step.id, stage: 'guard', command: options.redact(describeCommand(command)) });
    // The guard's own script: it removes itself when every revert command passed; then the timer is stopped.
    const result = await runner.exec(command);
    revertOk = result.code === 0;
    if (revertOk) options.emit({ type: 'guard', host, step: step.id, action: 'reverted', unit, seconds: guard.seconds });
  } catch {
    revertOk = false; // the connection is gone: the armed timer reverts on its own
  }
  let access: GuardReport['access'];
  if (options.proveAccess) {
    // The run's own login first; when an earlier step of this run turned that login off (root
    // after the sshd step), the login this step proves is the one that matters.
    const logins: ProveLogin[] = ['current', ...(typeof step.prove === 'object' ? [step.prove] : [])];
    for (const login of logins) {
      try {
        access = await options.proveAccess(host, login);
      } catch (error) {
        access = { ok: false, target: runner.target, reason: error instanceof Error ? error.message : String(error) };
      }
      options.emit({ type: 'proof', host, step: step.id, target: access.target, ok: access.ok, ...(access.ok ? {} : { reason: options.redact(access.reason) }) });
      if (access.ok) break;
    }
  }
  return { reverted: guard.revert.map((c) => options.redact(describeCommand(c))), revertOk, unit, seconds: guard.seconds, access };
}
