/** Who holds a host's lock: written by the run that took it, read by every other. */
export interface LockInfo {
  readonly runId: string;
  /** The operator's user name on the machine that runs the tool. */
  readonly owner: string;
  /** The operator's machine (hostname). */
  readonly operatorHost: string;
  readonly pid: number;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly command: string;
}

/** One line of `audit.log` on a host: one per run that took the lock. */
export interface AuditEntry {
  readonly at: string;
  readonly runId: string;
  /** `user@machine` of the operator. */
  readonly who: string;
  readonly command: string;
  readonly profile: string;
  readonly planDigest: string;
  readonly result: 'ok' | 'no-changes' | 'failed' | 'aborted';
  readonly changed: number;
  readonly failedStep?: string;
  /** Set when this run broke another run's lock: whose it was. */
  readonly brokeLock?: string;
  /** Guards of earlier runs this run found armed and resolved before anything else. */
  readonly guards?: readonly GuardResolution[];
}

/** What a run did with a guard it found armed on a host (another run's, killed or broken). */
export interface GuardResolution {
  readonly step: string;
  readonly unit: string;
  /** The run that armed it, when its script says. */
  readonly armedBy?: string;
  readonly action: 'disarmed' | 'reverted';
  readonly reason: string;
}
