import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { TimedEvent } from '../engine/events.js';

/** A run's id: sortable by time, unique enough across operators. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export interface RunFilePaths {
  readonly log: string;
  readonly journal: string;
}

export function runFilePaths(dir: string, runId: string): RunFilePaths {
  return { log: path.join(dir, '.homelab', 'logs', `${runId}.log`), journal: path.join(dir, '.homelab', 'runs', `${runId}.jsonl`) };
}

/**
 * The local record of a run, in the project folder: `.homelab/logs/<run>.log` (every command and
 * its output, for the failure report) and `.homelab/runs/<run>.jsonl` (the journal: one event a
 * line, for resuming). Both 0600 in 0700 folders, written synchronously so a kill loses nothing
 * already reported. Everything written here is already redacted.
 */
export class RunFiles {
  private readonly logFd: number;
  private readonly journalFd: number;

  constructor(readonly paths: RunFilePaths, private readonly redact: (text: string) => string) {
    for (const file of [paths.log, paths.journal]) mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.logFd = openSync(paths.log, 'a', 0o600);
    this.journalFd = openSync(paths.journal, 'a', 0o600);
  }

  log(line: string): void {
    writeSync(this.logFd, `${new Date().toISOString()} ${this.redact(line)}\n`);
  }

  journal(event: TimedEvent, extra: Record<string, unknown> = {}): void {
    writeSync(this.journalFd, `${this.redact(JSON.stringify({ ...event, ...extra }))}\n`);
  }

  close(): void {
    closeSync(this.logFd);
    closeSync(this.journalFd);
  }
}

export interface UnfinishedRun {
  readonly runId: string;
  readonly pid: number;
  readonly operatorHost: string;
  readonly startedAt: string;
  /** Its command line (`apply --only deploy`, `redeploy n8n`). */
  readonly command: string;
  /** The last step that finished, per host. */
  readonly progress: readonly string[];
}

function readJournal(file: string): UnfinishedRun | 'finished' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const events = text.split('\n').filter((l) => l.trim() !== '').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return []; // a line cut by a kill
    }
  });
  const start = events.find((e) => e['type'] === 'run-start');
  if (!start) return undefined;
  if (events.some((e) => e['type'] === 'run-done')) return 'finished';
  const last = new Map<string, string>();
  for (const e of events) if (e['type'] === 'step-done') last.set(String(e['host']), `${String(e['host'])}: ${String(e['step'])} ${String(e['result'])}`);
  return {
    runId: String(start['runId']),
    pid: Number(start['pid']),
    operatorHost: String(start['operatorHost']),
    startedAt: String(start['at']),
    command: typeof start['command'] === 'string' ? start['command'] : 'apply',
    progress: [...last.values()],
  };
}

/** The newest journal of this project, if that run never reached its end (failed hard or was killed). */
export function lastUnfinishedRun(dir: string): UnfinishedRun | undefined {
  const runs = path.join(dir, '.homelab', 'runs');
  let names: string[];
  try {
    names = readdirSync(runs).filter((n) => n.endsWith('.jsonl')).sort();
  } catch {
    return undefined;
  }
  const newest = names.at(-1);
  const found = newest ? readJournal(path.join(runs, newest)) : undefined;
  return typeof found === 'object' ? found : undefined;
}

/**
 * What to say about the newest run of this folder whose journal has no end. Its process still
 * runs on this machine: nothing (it is in progress, not unfinished; each host it holds refuses
 * this run with its lock, saying so). Gone: it did not finish, and this run continues from each
 * host's state. Run from another machine: this one cannot tell which.
 */
export function previousRunNotice(previous: UnfinishedRun, operatorHost: string, alive: (pid: number) => boolean): string | undefined {
  const last = previous.progress.length > 0 ? ` (last: ${previous.progress.join('; ')})` : '';
  const verb = previous.command.split(' ')[0] || 'apply';
  if (previous.operatorHost === operatorHost) {
    if (alive(previous.pid)) return undefined;
    return `The previous ${verb} (run ${previous.runId}, started ${previous.startedAt}) did not finish${last}. This run continues from each host's current state.`;
  }
  return `The previous ${verb} (run ${previous.runId}, started ${previous.startedAt} on ${previous.operatorHost}) has no end in its journal${last}: it stopped, or still runs there. This run continues from each host's current state.`;
}

/** A run of this project folder by id: unfinished (killed or crashed), finished, or unknown here. */
export function findRun(dir: string, runId: string): UnfinishedRun | 'finished' | undefined {
  if (!/^[0-9A-Za-z-]+$/.test(runId)) return undefined;
  return readJournal(runFilePaths(dir, runId).journal);
}
