import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WizardError } from '../errors.js';
import { addCleanup } from '../lib/signal-cleanup.js';
import { pidAlive } from '../lib/pid-alive.js';

/**
 * Writes that never leave a half-written file and never lose an update.
 *
 * - atomicWrite: the new content goes to a temporary file in the same folder, is fsynced, and
 *   replaces the file with one rename; the previous version stays as `<file>.bak`.
 * - withLock: `<file>.lock`, created with O_EXCL and holding pid, host, command and time, is held
 *   from the read to the write of a read-modify-write, so two writers run one after the other.
 *   A lock whose process is dead (same host) is taken over; a live one is waited for, then
 *   reported with who holds it.
 */

export interface WriteOptions {
  /** Mode of a new file; an existing file keeps its own mode. */
  readonly mode?: number;
  /** Keep the previous version as `<file>.bak` (default true). */
  readonly backup?: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is still atomic.
  }
}

function tempName(file: string, tag: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.${tag}`);
}

export async function atomicWrite(file: string, content: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  let mode = options.mode ?? 0o644;
  try {
    mode = (await stat(file)).mode & 0o777;
  } catch {
    // New file: the requested mode.
  }
  const tmp = tempName(file, 'tmp');
  const forget = addCleanup(() => unlinkSync(tmp));
  try {
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await handle.writeFile(content);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.backup !== false && (await exists(file))) {
      const bakTmp = tempName(file, 'bak');
      try {
        await link(file, bakTmp);
      } catch {
        await copyFile(file, bakTmp);
      }
      await rename(bakTmp, `${file}.bak`);
    }
    await rename(tmp, file);
    await fsyncDir(dir);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    if (error instanceof WizardError) throw error;
    throw new WizardError('vault-error', `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `check that ${dir} is writable and the disk is not full; the previous version is unchanged`, { cause: error });
  } finally {
    forget();
  }
}

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  readonly token: string;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    if (typeof info.pid === 'number' && typeof info.host === 'string' && typeof info.token === 'string') {
      return { pid: info.pid, host: info.host, command: String(info.command ?? ''), since: String(info.since ?? ''), token: info.token };
    }
  } catch {
    // Being written, or damaged: judged by its age below.
  }
  return undefined;
}

async function readLock(lock: string): Promise<{ text: string; info?: LockInfo; ageMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    const info = parseLock(text);
    return { text, ageMs: Date.now() - st.mtimeMs, ...(info ? { info } : {}) };
  } catch {
    return undefined;
  }
}

/** An unreadable lock older than this was left by a process that died while creating it. */
const UNREADABLE_STALE_MS = 10_000;

function isStale(seen: { info?: LockInfo; ageMs: number }): boolean {
  if (seen.info === undefined) return seen.ageMs > UNREADABLE_STALE_MS;
  return seen.info.host === hostname() && !pidAlive(seen.info.pid);
}

/** Remove a stale lock, unless someone else replaced it meanwhile (serialised by a breaker file). */
async function breakStale(lock: string, staleText: string): Promise<void> {
  const breaker = `${lock}.break`;
  try {
    const handle = await open(breaker, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    await handle.close();
  } catch {
    const st = await stat(breaker).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > UNREADABLE_STALE_MS) await unlink(breaker).catch(() => undefined);
    return;
  }
  try {
    const now = await readFile(lock, 'utf8').catch(() => undefined);
    if (now === staleText) await unlink(lock).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

export interface LockOptions {
  /** What holds the lock, shown to whoever waits (e.g. `secrets edit`). */
  readonly command?: string;
  /** How long to wait for a live lock before giving up (default 15 s). */
  readonly timeoutMs?: number;
}

export async function withLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  await mkdir(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), command: options.command ?? 'homelab-wizard', since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const text = `${JSON.stringify(info)}\n`;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let holder: LockInfo | undefined;
  for (;;) {
    try {
      const handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WizardError('vault-error', `cannot create ${lock}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `check that ${path.dirname(lock)} is writable`, { cause: error });
      }
    }
    const seen = await readLock(lock);
    if (seen === undefined) continue;
    if (isStale(seen)) {
      await breakStale(lock, seen.text);
      continue;
    }
    holder = seen.info;
    if (Date.now() > deadline) {
      const who = holder ? `pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''} (${holder.command}) since ${holder.since}` : 'another process';
      throw new WizardError('vault-locked', `${file} is locked by ${who}`, `wait for that command to finish; if no homelab-wizard process is running, remove ${lock}`);
    }
    await sleep(20 + Math.floor(Math.random() * 40));
  }
  const release = (): void => {
    try {
      if (parseLock(readFileSync(lock, 'utf8'))?.token === info.token) unlinkSync(lock);
    } catch {
      // Already gone.
    }
  };
  const forget = addCleanup(release);
  try {
    return await work();
  } finally {
    forget();
    release();
  }
}
