import { constants, rmSync } from 'node:fs';
import { access, chmod, lstat, mkdtemp, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addCleanup } from '../lib/signal-cleanup.js';
import { pidAlive } from '../lib/pid-alive.js';

/**
 * The one place plaintext secrets touch a file system: the buffer `secrets edit` hands to the
 * editor. It lives in a fresh 0700 folder (mkdtemp) under /dev/shm when the machine has it (RAM,
 * never written to a disk), else the OS temp folder; the file is 0600. The whole folder goes
 * away on success, error and SIGINT/SIGTERM/SIGHUP, taking editor swap and backup files with it.
 * After a SIGKILL nothing can clean up, so every run first removes folders whose process is dead.
 */
export const BUFFER_PREFIX = 'homelab-wizard-edit-';
export const RAM_ROOT = '/dev/shm';
const OWNER_FILE = 'owner';

export interface EditBuffer {
  readonly dir: string;
  readonly file: string;
  /** False when no RAM-backed folder was available and the buffer is on disk. */
  readonly ramBacked: boolean;
  /** Remove the folder and everything in it (idempotent, synchronous). */
  remove(): void;
}

export function bufferRoots(): string[] {
  return [RAM_ROOT, tmpdir()];
}

async function usable(dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
    await access(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A folder left by a process that no longer exists (or that died before naming itself). */
async function isLeftover(dir: string): Promise<boolean> {
  const st = await lstat(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.()) return false;
  const owner = await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
  const pid = owner === undefined ? NaN : Number(owner.trim());
  if (Number.isInteger(pid) && pid > 0) return pid !== process.pid && !pidAlive(pid);
  return Date.now() - st.mtimeMs > 60_000;
}

/** Remove the buffers of dead `secrets edit` runs; returns how many were removed. */
export async function removeLeftoverBuffers(roots: readonly string[] = bufferRoots()): Promise<number> {
  let removed = 0;
  for (const root of new Set(roots)) {
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith(BUFFER_PREFIX)) continue;
      const dir = path.join(root, name);
      try {
        if (await isLeftover(dir)) {
          rmSync(dir, { recursive: true, force: true });
          removed++;
        }
      } catch {
        // Vanished meanwhile, or not ours: leave it.
      }
    }
  }
  return removed;
}

export async function createEditBuffer(content: string, roots: readonly string[] = bufferRoots(), fileName = 'secrets.yaml'): Promise<EditBuffer> {
  let root: string | undefined;
  for (const candidate of roots) {
    if (await usable(candidate)) {
      root = candidate;
      break;
    }
  }
  if (root === undefined) throw new Error('no writable folder for the edit buffer');
  const dir = await mkdtemp(path.join(root, BUFFER_PREFIX));
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    rmSync(dir, { recursive: true, force: true });
    removed = true;
  };
  const forget = addCleanup(remove);
  try {
    await chmod(dir, 0o700);
    await writeFile(path.join(dir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
    const file = path.join(dir, fileName);
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return {
      dir,
      file,
      ramBacked: root === RAM_ROOT,
      remove: () => {
        remove();
        forget();
      },
    };
  } catch (error) {
    remove();
    forget();
    throw error;
  }
}
