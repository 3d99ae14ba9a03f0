import type { Command } from '../plan/command.js';
import type { DirFacts, FileFacts, StepFacts } from '../plan/facts.js';
import type { AuditEntry, LockInfo } from '../plan/host-state.js';
import type { InventoryFacts } from '../plan/inventory.js';
import type { FileSpec } from '../plan/step.js';
import type { GuardFacts } from '../plan/guard-facts.js';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Receives remote output line by line while a command runs. */
export interface OutputSink {
  readonly onStdout?: (line: string) => void;
  readonly onStderr?: (line: string) => void;
}

/** What the planner asks of a host: every check and every file hash, in one round trip. */
export interface ProbeRequest {
  readonly steps: readonly {
    readonly check: Command | null;
    /** Send back the check's stdout (its first lines): it says what is not converged. */
    readonly report?: boolean;
    readonly dirs?: readonly string[];
    readonly files: readonly { readonly path: string; readonly sha256: string; readonly secret: boolean }[];
  }[];
  /** The project folder: the probe reads its lock and the last line of its audit.log. */
  readonly project: string;
  /** Also read what runs (containers of these compose projects), state.json and the checksums under current/. */
  readonly inventory?: { readonly composeProjects: readonly string[]; readonly releases?: boolean };
}

export interface ProbeReport {
  readonly steps: readonly StepFacts[];
  /** The lock found on the host (before this run's own, when it takes one). */
  readonly lock?: LockInfo | { readonly unreadable: string };
  readonly lastAudit?: AuditEntry;
  /** Guards armed on the host (revert scripts of the project, with their timers), when there are any. */
  readonly guards?: readonly GuardFacts[];
  /** Present when the request asked for the inventory. */
  readonly inventory?: InventoryFacts;
}

/** Read-only access to a host. `plan` and `status` get only this, so they cannot change a host. */
export interface ProbeRunner {
  readonly host: string;
  /** `user@address:port` actually reached. */
  readonly target: string;
  probe(request: ProbeRequest): Promise<ProbeReport>;
}

export interface LockRequest {
  readonly info: LockInfo;
  /** Replace the lock only if it still carries this run id (break a stale or named lock). */
  readonly takeOver?: string;
}

export type LockOutcome = { readonly acquired: true; readonly replaced?: LockInfo | { readonly unreadable: string } } | { readonly acquired: false; readonly holder: LockInfo | { readonly unreadable: string } };

/** Full access, for `apply`. Every method but `probe` may change the host. */
export interface Runner extends ProbeRunner {
  /** Create the project folder, take the lock, then probe, in one round trip. Probes only when the lock was taken. */
  lockAndProbe(request: ProbeRequest, lock: LockRequest): Promise<{ readonly lock: LockOutcome; readonly report?: ProbeReport }>;
  /** Run a command; the exit code is returned, not thrown. */
  exec(command: Command, sink?: OutputSink): Promise<ExecResult>;
  /** Write a file through a temp file in its folder, set mode and owner, then move it into place. */
  upload(file: FileSpec): Promise<ExecResult>;
  /** Append the audit line, then release the lock if it is still this run's, in one round trip. */
  finish(project: string, audit: AuditEntry, runId: string): Promise<void>;
  /** Run a command on a remote terminal wired to the caller's (`exec` in a terminal); its exit code. */
  interactive?(command: Command, terminal: Terminal): Promise<number>;
}

/** The caller's terminal, for `Runner.interactive`: raw keystrokes in, screen output out. */
export interface Terminal {
  readonly input: NodeJS.ReadableStream;
  /** Every chunk of output, already the caller's to redact. */
  readonly write: (chunk: string) => void;
  readonly rows: number;
  readonly cols: number;
  readonly term: string;
  /** Calls back with the new size when the caller's window changes; returns how to stop listening. */
  readonly onResize: (resize: (rows: number, cols: number) => void) => () => void;
}

export type { DirFacts, FileFacts, StepFacts };
