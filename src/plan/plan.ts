import type { StepChange } from './change.js';
import type { GuardFacts } from './guard-facts.js';
import type { AuditEntry, LockInfo } from './host-state.js';

/** A problem that kept a host from being planned; shown in place of its steps. */
export interface HostProblem {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

export interface HostPlan {
  readonly host: string;
  /** `user@address:port` that was reached; absent when the host was not reached. */
  readonly target?: string;
  readonly steps: readonly StepChange[];
  /** Another run's lock on the host, when there is one. */
  readonly lock?: LockInfo;
  readonly lastRun?: AuditEntry;
  /** Guards armed on the host by a run that did not finish: the next apply resolves them first. */
  readonly guards?: readonly GuardFacts[];
  readonly problem?: HostProblem;
  /** sha256 of the steps as built from the profile (what should be). */
  readonly desiredDigest: string;
  /** sha256 of what the probe found (what is); `apply --plan` compares it. */
  readonly observedDigest: string;
}

/** A user's template that replaced a built-in one in the steps of this plan. */
export interface PlannedOverride {
  /** Its name under templates/, e.g. `caddy/Caddyfile.eta`. */
  readonly template: string;
  /** The user's file, absolute. */
  readonly file: string;
}

/** A plan as `plan --json` prints it and `plan --out` saves it. Secret contents never appear. */
export interface Plan {
  readonly format: 'homelab-wizard-plan';
  readonly version: 1;
  readonly profile: string;
  readonly project: string;
  readonly phases: readonly string[];
  readonly createdAt: string;
  readonly hosts: readonly HostPlan[];
  /** Present when the user's templates replace built-in ones (their content is in the digests). */
  readonly templateOverrides?: readonly PlannedOverride[];
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly unchanged: number;
  readonly unknown: number;
  readonly problems: number;
}

export function summarize(hosts: readonly HostPlan[]): PlanSummary {
  const count = { add: 0, change: 0, destroy: 0, unchanged: 0, unknown: 0, problems: 0 };
  for (const host of hosts) {
    if (host.problem) {
      // Its steps are unknown because it was not reached: counted as a problem, not as changes.
      count.problems++;
      continue;
    }
    for (const step of host.steps) {
      if (step.action === '+') count.add++;
      else if (step.action === '~') count.change++;
      else if (step.action === '-') count.destroy++;
      else if (step.action === '=') count.unchanged++;
      else count.unknown++;
    }
  }
  return count;
}

export function hasChanges(summary: PlanSummary): boolean {
  return summary.add + summary.change + summary.destroy + summary.unknown > 0;
}
