import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import { WizardError } from '../errors.js';
import type { Secret } from '../lib/secret.js';

/**
 * A new ed25519 key pair for the operator, written in OpenSSH's own format (ssh, ssh-add and
 * `ssh-keygen -y` read it). Made in this process with ssh2's key generator (Node's crypto, and
 * bcrypt-pbkdf with aes256-ctr like ssh-keygen for a passphrase): the passphrase never reaches a
 * command line, where `ssh-keygen -N` would put it. An existing file is never replaced.
 */
export interface NewSshKey {
  readonly file: string;
  readonly publicFile: string;
  /** The public key line (`ssh-ed25519 AAAA… comment`). */
  readonly publicKey: string;
  readonly encrypted: boolean;
}

/** ssh-keygen's default number of KDF rounds. */
const ROUNDS = 16;

async function writeNew(file: string, text: string, mode: number): Promise<void> {
  const handle = await open(file, 'wx', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A key pair made in memory; nothing is on disk until writeSshKey. */
export interface SshKeyPair {
  /** OpenSSH private key text, encrypted when a passphrase was given. */
  readonly privateText: string;
  /** The public key line. */
  readonly publicKey: string;
  readonly encrypted: boolean;
}

export function generateSshKey(options: { readonly comment: string; readonly passphrase?: Secret }): SshKeyPair {
  const passphrase = options.passphrase !== undefined && options.passphrase.length > 0 ? options.passphrase : undefined;
  const pair = ssh2.utils.generateKeyPairSync('ed25519', {
    comment: options.comment,
    ...(passphrase ? { passphrase: passphrase.reveal(), cipher: 'aes256-ctr', rounds: ROUNDS } : {}),
  });
  return { privateText: pair.private, publicKey: pair.public, encrypted: passphrase !== undefined };
}

/** Write a generated pair as FILE (0600) and FILE.pub (0644), creating the folder 0700. */
export async function writeSshKey(file: string, pair: SshKeyPair): Promise<NewSshKey> {
  const publicFile = `${file}.pub`;
  try {
    // ~/.ssh as ssh itself wants it: 0700 when it is made here.
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeNew(file, pair.privateText, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WizardError(
      'ssh-identity',
      code === 'EEXIST' ? `${file} already exists; an SSH key is never replaced` : `cannot write the new SSH key ${file}: ${code ?? (error as Error).message}`,
      code === 'EEXIST' ? 'use that key (its .pub file), or choose another file' : 'check that the folder is writable',
    );
  }
  try {
    await writeNew(publicFile, `${pair.publicKey}\n`, 0o644);
  } catch (error) {
    // Half a pair is no use to anyone: the private key goes too.
    await rm(file, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new WizardError('ssh-identity', `cannot write ${publicFile}: ${code ?? (error as Error).message}; nothing was created`, code === 'EEXIST' ? `move ${publicFile} away, or choose another file` : 'check that the folder is writable');
  }
  return { file, publicFile, publicKey: pair.publicKey, encrypted: pair.encrypted };
}
