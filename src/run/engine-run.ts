import os from 'node:os';
import path from 'node:path';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import type { ProveAccess } from '../engine/access.js';
import type { RunEvent } from '../engine/events.js';
import type { LockDecision, LockHolder, SessionContext } from '../engine/host-session.js';
import type { LockInfo } from '../plan/host-state.js';
import { pidAlive } from '../lib/pid-alive.js';
import { onInterrupt } from '../lib/signal-cleanup.js';
import { guardEventLine, RunRecord } from './apply-report.js';
import { findRun, lastUnfinishedRun, newRunId, previousRunNotice, RunFiles, runFilePaths, type RunFilePaths } from './run-files.js';

/** A lock older than this is reported as possibly stale (it is still never broken without asking). */
const OLD_LOCK_MS = 60 * 60 * 1000;

export interface EngineRunOptions {
  readonly profileName: string;
  /** The project folder on the hosts (its lock, audit.log, guards). */
  readonly project: string;
  /** The command line as recorded in locks, audit lines and the journal (`apply --only deploy`, `redeploy n8n`). */
  readonly command: string;
  readonly hosts: readonly string[];
  readonly phases: readonly string[];
  readonly redact: (text: string) => string;
  readonly breakLock: boolean;
  readonly proveAccess?: ProveAccess;
  /** A second Ctrl+C: drop every connection now. */
  readonly dropConnections: () => void;
  /** What Ctrl+C says it will do (`Stopping after the current step…`). */
  readonly stopMessage: string;
}

/**
 * One run of the engine, whatever the command (apply, redeploy, rollback, restart): the run id,
 * the local run log and journal (resume after a kill), the `--json` event stream, the lock policy
 * and the one Ctrl+C / SIGTERM handler. Every command that changes hosts starts one of these, so
 * they all lock, audit, journal and stop the same way.
 */
export class EngineRun {
  readonly runId: string;
  readonly paths: RunFilePaths;
  readonly record = new RunRecord();
  readonly ctx: SessionContext;
  private readonly files: RunFiles;
  private readonly controller = new AbortController();
  private interruptedFlag = false;
  private display: ((event: RunEvent) => void) | undefined;
  private readonly stopListening: () => void;

  constructor(private readonly global: GlobalOptions, private readonly io: Io, private readonly options: EngineRunOptions) {
    const started = new Date();
    this.runId = newRunId(started);
    this.paths = runFilePaths(global.dir, this.runId);
    const operatorHost = os.hostname();
    const owner = os.userInfo().username;
    const previous = lastUnfinishedRun(global.dir);
    this.files = new RunFiles(this.paths, options.redact);
    const lockInfo: LockInfo = { runId: this.runId, owner, operatorHost, pid: process.pid, startedAt: started.toISOString(), command: options.command };
    this.ctx = {
      runId: this.runId,
      project: options.project,
      lockInfo,
      emit: (event) => this.emit(event),
      redact: options.redact,
      now: () => new Date(),
      audit: { who: `${owner}@${operatorHost}`, command: options.command, profile: options.profileName },
      onLockHeld: (_host, holder) => this.onLockHeld(holder, operatorHost),
      ...(options.proveAccess ? { proveAccess: options.proveAccess } : {}),
    };
    // Ctrl+C (or a polite SIGTERM, e.g. from a CI runner): no new step starts, a running remote
    // command finishes, every lock is released and audited. A second one drops the connections;
    // the lock is then taken over by the next run from this machine.
    this.stopListening = onInterrupt(() => {
      if (this.interruptedFlag) {
        options.dropConnections();
        return;
      }
      this.interruptedFlag = true;
      this.controller.abort();
      io.stderr(`\n${options.stopMessage}\n`);
    });
    this.emit({ type: 'run-start', runId: this.runId, command: options.command, profile: options.profileName, hosts: options.hosts, phases: options.phases });
    const notice = previous ? previousRunNotice(previous, operatorHost, pidAlive) : undefined;
    // On stderr even with --json: it is for the operator, and stdout stays the event stream.
    if (notice) io.stderr(`${notice}\n`);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.interruptedFlag;
  }

  /** Where events are drawn (the listr2 tree, plain lines); JSON, log and journal are written anyway. */
  show(display: ((event: RunEvent) => void) | undefined): void {
    this.display = display;
  }

  log(line: string): void {
    this.files.log(line);
  }

  emit(event: RunEvent): void {
    const timed = { ...event, at: new Date().toISOString() };
    this.record.add(event);
    this.files.journal(timed, event.type === 'run-start' ? { pid: process.pid, operatorHost: os.hostname() } : {});
    if (event.type === 'command') this.files.log(`[${event.host}] ${event.step} ${event.stage}: $ ${event.command}`);
    else if (event.type === 'step-output') this.files.log(`[${event.host}] ${event.step} ${event.stream === 'stderr' ? '!' : '|'} ${event.line}`);
    else if (event.type === 'step-progress') this.files.log(`[${event.host}] ${event.step} ~ ${event.message}`);
    else if (event.type !== 'run-start') this.files.log(`[${'host' in event ? event.host : 'run'}] ${event.type} ${JSON.stringify(event)}`);
    if (this.global.json) this.io.stdout(`${JSON.stringify(timed)}\n`);
    // Guards of an earlier run are resolved while the hosts are locked, before anything is drawn.
    else if (event.type === 'guard' && event.reason !== undefined) this.io.stderr(`${guardEventLine(event)}\n`);
    this.display?.(event);
  }

  /** The last event (`run-done`), then the journal and log are closed and Ctrl+C is the default again. */
  finish(result: 'ok' | 'failed' | 'aborted'): void {
    this.stopListening();
    this.emit({ type: 'run-done', result, changed: this.record.changed, unchanged: this.record.unchanged, failedHosts: this.record.failedHosts });
    this.files.close();
  }

  /** The log file as the operator should type it. */
  logShown(): string {
    return path.relative(this.io.cwd, this.paths.log) || this.paths.log;
  }

  /**
   * A held lock: taken over when its run was started on this machine and its process is gone (a
   * kill), or with --break-lock; else refused, saying whether it is in progress or may be stale.
   */
  private async onLockHeld(holder: LockHolder, operatorHost: string): Promise<LockDecision> {
    const breakLock = this.options.breakLock;
    if ('unreadable' in holder) return breakLock ? { takeOver: '', note: 'broken with --break-lock' } : { refuse: true };
    if (breakLock) return { takeOver: holder.runId, note: 'broken with --break-lock' };
    const sameMachine = holder.operatorHost === operatorHost;
    const dead = sameMachine && holder.pid !== process.pid && !pidAlive(holder.pid);
    const run = sameMachine ? findRun(this.global.dir, holder.runId) : undefined;
    if (dead && run !== undefined) {
      this.io.stderr(`Taking over the lock of run ${holder.runId}: its process (pid ${holder.pid}) on this machine is gone.\n`);
      return { takeOver: holder.runId, note: `run ${holder.runId} was killed` };
    }
    // Its process runs here: in progress, however long it has been going.
    if (sameMachine && holder.pid !== process.pid && !dead) return { refuse: true, inProgress: true };
    const age = Date.now() - Date.parse(holder.startedAt);
    if (dead) return { refuse: true, stale: `it is stale: its process (pid ${holder.pid}) no longer runs on this machine` };
    if (age > OLD_LOCK_MS) return { refuse: true, stale: `it may be stale: taken ${Math.round(age / 60_000)} minutes ago` };
    return { refuse: true };
  }
}
