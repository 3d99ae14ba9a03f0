import type { Command } from '../plan/command.js';
import type { Step } from '../plan/step.js';
import { quote } from '../shell/quote.js';

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

/** A systemd unit name for a step's dead-man switch, unique per run and step. */
export function guardUnit(runId: string, stepId: string): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `homelab-wizard-guard-${clean(runId)}-${clean(stepId)}`.slice(0, 200);
}

/** The revert commands of a guard as one shell script; each runs even when one before it failed. */
export function revertScript(revert: readonly Command[]): string {
  return revert.map((c) => quote(c.argv)).join('; ');
}

/**
 * Arm: a transient timer that runs the revert after `seconds` unless it is stopped. systemd runs
 * it, so it fires even when this machine, its network or this process is gone.
 */
export function armCommand(unit: string, seconds: number, revert: readonly Command[]): Command {
  return { argv: ['systemd-run', '--quiet', '--collect', `--on-active=${seconds}`, `--unit=${unit}`, '--description=homelab-wizard: revert an unproven change', 'sh', '-c', revertScript(revert)] };
}

/** Disarm: stop the timer (its service never starts). */
export function disarmCommand(unit: string): Command {
  return { argv: ['systemctl', 'stop', `${unit}.timer`] };
}
