import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { WizardError } from '../../errors.js';
import { Secret } from '../../lib/secret.js';
import type { HostKeyPair } from './cloud-init.js';

const run = promisify(execFile);

/** `.homelab/provision/<profile>/<host>/`: the host key of a server being created, until it is pinned. */
export function pendingKeyDir(dir: string, profile: string, host: string): string {
  return path.join(dir, '.homelab', 'provision', profile, host);
}

const KEY_FILE = 'ssh_host_ed25519_key';

async function readPair(folder: string): Promise<HostKeyPair | undefined> {
  try {
    const [privateKey, publicKey] = await Promise.all([readFile(path.join(folder, KEY_FILE), 'utf8'), readFile(path.join(folder, `${KEY_FILE}.pub`), 'utf8')]);
    if (!privateKey.includes('PRIVATE KEY') || !publicKey.startsWith('ssh-ed25519 ')) return undefined;
    return { privateKey: Secret.of(privateKey), publicKey: publicKey.trim() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The pending key pair of a host, if a create was started and the key is not pinned yet. */
export function pendingHostKey(dir: string, profile: string, host: string): Promise<HostKeyPair | undefined> {
  return readPair(pendingKeyDir(dir, profile, host));
}

/**
 * The host key for a new server: reused when a pending one exists (a rerun after a kill must
 * install the same key the first attempt sent), else generated here with ssh-keygen and written
 * (0600, folder 0700) before the create call, so no server exists whose key we have lost.
 */
export async function ensureHostKey(dir: string, profile: string, host: string): Promise<HostKeyPair> {
  const folder = pendingKeyDir(dir, profile, host);
  const existing = await readPair(folder);
  if (existing) return existing;
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const file = path.join(folder, KEY_FILE);
  await rm(file, { force: true });
  await rm(`${file}.pub`, { force: true });
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${host}@homelab-wizard`, '-f', file], { timeout: 30_000 });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new WizardError('provider-error', missing ? 'ssh-keygen is not installed: it makes the host key of the new server' : `ssh-keygen failed: ${(error as Error).message.split('\n')[0]}`, missing ? 'install OpenSSH (Debian: apt-get install openssh-client)' : 'check that the project folder is writable');
  }
  await chmod(file, 0o600);
  await chmod(`${file}.pub`, 0o600);
  const pair = await readPair(folder);
  if (!pair) throw new WizardError('internal', `ssh-keygen wrote no usable key in ${folder}`, 'this is a bug in homelab-wizard; report it');
  return pair;
}

/** Forget the pending key once it is pinned: the server's private key should live on the server only. */
export async function dropPendingHostKey(dir: string, profile: string, host: string): Promise<void> {
  await rm(pendingKeyDir(dir, profile, host), { recursive: true, force: true });
}
