import { WizardError } from '../errors.js';
import type { LockInfo } from '../plan/host-state.js';

export type StepStage = 'check' | 'upload' | 'apply' | 'verify' | 'guard';

/** A remote command of a step exited non-zero. Carries what the failure report shows. */
export class StepFailedError extends WizardError {
  readonly host: string;
  readonly stepId: string;
  readonly stage: StepStage;
  /** The command as describeCommand() shows it: secrets redacted. */
  readonly command: string;
  readonly remoteExitCode: number;
  /** Last lines of the command's stderr, secrets redacted. */
  readonly stderrTail: readonly string[];

  constructor(fields: { host: string; stepId: string; stage: StepStage; command: string; exitCode: number; stderrTail: readonly string[] }) {
    super(
      'step-failed',
      `${fields.host}: step ${fields.stepId} failed: ${fields.stage} command exited ${fields.exitCode}`,
      'read the command and its stderr above (the full log is named there), fix the cause, then run apply again: it continues from where it stopped',
    );
    this.name = 'StepFailedError';
    this.host = fields.host;
    this.stepId = fields.stepId;
    this.stage = fields.stage;
    this.command = fields.command;
    this.remoteExitCode = fields.exitCode;
    this.stderrTail = fields.stderrTail;
  }
}

/** apply exited 0 but the check still fails: the step is not idempotent, or something undid it. */
export class NotConvergedError extends WizardError {
  readonly host: string;
  readonly stepId: string;

  constructor(host: string, stepId: string, reasons: readonly string[]) {
    super(
      'not-converged',
      `${host}: step ${stepId} ran without error but is still not converged: ${reasons.join('; ')}`,
      'something on the host undoes this step, or the step is wrong (a bug in homelab-wizard): see the full log, then report it',
    );
    this.name = 'NotConvergedError';
    this.host = host;
    this.stepId = stepId;
  }
}

export class DestructiveRefusedError extends WizardError {
  constructor(what: string) {
    super('destructive-refused', `${what} would destroy data`, 'review it with `homelab-wizard plan`, then run apply with --allow-destroy (or answer the typed confirmation)');
    this.name = 'DestructiveRefusedError';
  }
}

function describeHolder(holder: LockInfo | { unreadable: string }): string {
  if ('unreadable' in holder) return holder.unreadable;
  return `${holder.owner}@${holder.operatorHost} (pid ${holder.pid}, \`${holder.command}\`) since ${holder.startedAt}`;
}

export class LockHeldError extends WizardError {
  readonly host: string;
  readonly holder: LockInfo | { unreadable: string };

  /** `inProgress`: the holder's process is known to run (same machine, its pid alive). */
  constructor(host: string, holder: LockInfo | { unreadable: string }, stale: string | undefined, inProgress = false) {
    super(
      'lock-held',
      inProgress ? `${host}: another run is in progress: ${describeHolder(holder)}` : `${host}: locked by ${describeHolder(holder)}${stale ? `; ${stale}` : ''}`,
      inProgress
        ? 'wait for it to finish, then run again (it holds the lock until then; nothing was changed by this run)'
        : stale
          ? 'if no run is still going, break it with `homelab-wizard apply --break-lock`'
          : 'wait for that run to finish; if it is gone for good, break the lock with `homelab-wizard apply --break-lock`',
    );
    this.name = 'LockHeldError';
    this.host = host;
    this.holder = holder;
  }
}

export class PlanStaleError extends WizardError {
  constructor(what: string) {
    super('plan-stale', `the saved plan is stale: ${what}`, 'run `homelab-wizard plan --out FILE` again, review it, then apply that plan');
    this.name = 'PlanStaleError';
  }
}

/**
 * After a risky step, a new SSH connection could not log in: the change is treated as a lockout
 * and reverted. The message names the login tried and why it failed.
 */
export class AccessProofError extends WizardError {
  readonly host: string;
  readonly stepId: string;

  constructor(host: string, stepId: string, target: string, reason: string) {
    super(
      'access-unproven',
      `${host}: step ${stepId}: a new SSH connection as ${target} failed (${reason}), so the change was reverted`,
      'check that this port is open on every firewall on the way (the provider\'s firewall, a security group, your own network) and that sshd can listen on it, then run apply again',
    );
    this.name = 'AccessProofError';
    this.host = host;
    this.stepId = stepId;
  }
}

/** A step whose precondition login failed: refused before it changed anything. */
export class PreconditionError extends WizardError {
  readonly host: string;
  readonly stepId: string;

  constructor(host: string, stepId: string, target: string, reason: string, hint: string) {
    super('access-unproven', `${host}: step ${stepId} refused: it needs a working login as ${target} first, and a new SSH connection failed (${reason}); nothing was changed`, hint);
    this.name = 'PreconditionError';
    this.host = host;
    this.stepId = stepId;
  }
}
