import type { Action } from '../plan/change.js';
import type { GuardReport } from './access.js';

export type StepResult = 'changed' | 'unchanged' | 'failed' | 'not-run';
export type HostResult = 'ok' | 'no-changes' | 'failed' | 'aborted';

export interface StepErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly stage?: string;
  readonly command?: string;
  readonly exitCode?: number;
  readonly stderrTail: readonly string[];
  /** What to do next, for errors that are not a failed command (a failed proof). */
  readonly hint?: string;
  /** The step was guarded: what was reverted, and whether the old login still works. */
  readonly guard?: GuardReport;
}

/**
 * What the engine reports while it runs. Views subscribe: the listr2 tree, `--json` (one event per
 * line), the run log and the local journal. Every text field is already redacted.
 */
export type RunEvent =
  | { readonly type: 'run-start'; readonly runId: string; readonly command: string; readonly profile: string; readonly hosts: readonly string[]; readonly phases: readonly string[] }
  | { readonly type: 'host-locked'; readonly host: string; readonly target: string; readonly replaced?: string }
  | { readonly type: 'host-plan'; readonly host: string; readonly add: number; readonly change: number; readonly destroy: number; readonly unchanged: number }
  | { readonly type: 'host-problem'; readonly host: string; readonly code: string; readonly message: string; readonly hint: string }
  | { readonly type: 'step-start'; readonly host: string; readonly step: string; readonly phase: string; readonly action: Action }
  | { readonly type: 'command'; readonly host: string; readonly step: string; readonly stage: string; readonly command: string }
  /**
   * A guard armed, disarmed or reverted by this run's step; or `found` on the host when the run
   * starts (another run's, with `armedBy`), then resolved (`disarmed`/`reverted`, with `reason`).
   */
  | { readonly type: 'guard'; readonly host: string; readonly step: string; readonly action: 'armed' | 'disarmed' | 'reverted' | 'found'; readonly unit: string; readonly seconds: number; readonly armedBy?: string; readonly reason?: string }
  | { readonly type: 'proof'; readonly host: string; readonly step: string; readonly target: string; readonly ok: boolean; readonly reason?: string }
  | { readonly type: 'step-output'; readonly host: string; readonly step: string; readonly stream: 'stdout' | 'stderr'; readonly line: string }
  /** What a running step waits for (the dpkg lock, a health gate), from its script's progress lines (shell/progress.ts). */
  | { readonly type: 'step-progress'; readonly host: string; readonly step: string; readonly message: string }
  | { readonly type: 'step-done'; readonly host: string; readonly step: string; readonly result: StepResult; readonly reason?: string; readonly error?: StepErrorInfo }
  | { readonly type: 'host-done'; readonly host: string; readonly result: HostResult; readonly changed: number; readonly unchanged: number; readonly failedStep?: string; readonly warning?: string }
  /** A change of the provision or dns phase (provider APIs, before any SSH work). */
  | { readonly type: 'cloud-change'; readonly host: string; readonly phase: string; readonly step: string; readonly action: Action; readonly describe: string }
  | { readonly type: 'run-done'; readonly result: 'ok' | 'failed' | 'aborted'; readonly changed: number; readonly unchanged: number; readonly failedHosts: readonly string[] };

export type TimedEvent = RunEvent & { readonly at: string };

export type Emit = (event: RunEvent) => void;
