import type { Step } from '../plan/step.js';

/** Which login a proof opens: the run's own (user and port in use), or a named one. */
export type ProveLogin = NonNullable<Step['prove']>;

export type ProveResult = { readonly ok: true; readonly target: string } | { readonly ok: false; readonly target: string; readonly reason: string };

/**
 * Opens a NEW SSH connection to a host, logs in, becomes root (sudo -n for the admin user) and
 * closes it: proof that the operator can still get in after a risky change. Bounded in time
 * (retries for a daemon that is still reloading included). Implemented by the ssh adapter and
 * injected, so the engine stays free of ssh/ imports.
 */
export type ProveAccess = (host: string, login: ProveLogin) => Promise<ProveResult>;

/** What happened to a guarded change after its step failed: said in the failure report. */
export interface GuardReport {
  /** The revert commands, as run. */
  readonly reverted: readonly string[];
  /** Every revert command exited 0. */
  readonly revertOk: boolean;
  /** The timer unit armed on the host (still armed when the revert could not run here). */
  readonly unit: string;
  readonly seconds: number;
  /** The login proven after the revert, or why the proof failed. */
  readonly access: ProveResult | undefined;
}
