import type { ProveTarget } from './step.js';

/** What a guard's script records about itself (its header): enough for any later run to judge it. */
export interface GuardMeta {
  readonly step: string;
  /** The run that armed it. */
  readonly runId: string;
  readonly seconds: number;
  /** The login whose success proves the change safe, as the step proves it. */
  readonly prove: ProveTarget;
  /** A command that must also pass before the change may be kept (`sshd -t`). */
  readonly keepIf?: readonly string[];
}

/** A guard the probe found on a host: its script in the project's guards folder, and its units. */
export interface GuardFacts {
  /** The unit name (without .timer / .service). */
  readonly unit: string;
  readonly path: string;
  /** Undefined when the script's header is unreadable. */
  readonly meta?: GuardMeta;
  /** `systemctl is-active` of the timer: `active` while it waits. */
  readonly timer: string;
  /** `systemctl is-active` of its service: `active`/`activating` while the revert runs. */
  readonly service: string;
  /** Seconds since the script was written (when it was armed), by the host's clock. */
  readonly age: number;
}

/** The timer's revert is running right now: wait for it before judging anything. */
export function isReverting(guard: GuardFacts): boolean {
  return guard.service === 'active' || guard.service === 'activating' || guard.service === 'deactivating';
}

/** One line about an armed guard, for `plan` and the progress output. */
export function guardFoundText(guard: GuardFacts): string {
  const what = guard.meta ? `guard of ${guard.meta.step} armed by run ${guard.meta.runId}` : `guard ${guard.unit} (unreadable script)`;
  if (isReverting(guard)) return `${what}: its timer is reverting the step now`;
  if (guard.timer !== 'active') return `${what}: its timer is gone (reboot or killed run), its revert script is still there`;
  const left = guard.meta ? Math.max(0, guard.meta.seconds - guard.age) : undefined;
  return `${what}: its timer reverts the step${left !== undefined ? ` in about ${left} s` : ''}`;
}
