import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SshError } from './errors.js';

/** How the tool authenticates: a private key read from a file, and/or the operator's ssh-agent. */
export interface Identity {
  readonly file: string;
  readonly privateKey?: string;
  readonly agent?: string;
}

export function expandHome(file: string, home = os.homedir()): string {
  if (file === '~') return home;
  if (file.startsWith('~/')) return path.join(home, file.slice(2));
  return file;
}

/** Is this private key protected by a passphrase? (OpenSSH format: cipher name; PEM: the ENCRYPTED header.) */
export function isEncryptedKey(text: string): boolean {
  if (/Proc-Type: 4,ENCRYPTED|BEGIN ENCRYPTED PRIVATE KEY/.test(text)) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return false;
  const raw = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const length = raw.readUInt32BE(magic.length);
  return raw.subarray(magic.length + 4, magic.length + 4 + length).toString('latin1') !== 'none';
}

/**
 * `HOMELAB_WIZARD_SSH_KEY` (a path) wins over the profile's `operator.identityFile`; `~` is the
 * home folder of whoever runs the tool. A passphrase-protected key is used through ssh-agent.
 */
export async function loadIdentity(host: string, configured: string, env: NodeJS.ProcessEnv): Promise<Identity> {
  const override = env['HOMELAB_WIZARD_SSH_KEY'];
  const file = path.resolve(expandHome(override !== undefined && override !== '' ? override : configured));
  const agent = env['SSH_AUTH_SOCK'] !== undefined && env['SSH_AUTH_SOCK'] !== '' ? env['SSH_AUTH_SOCK'] : undefined;
  const source = override ? 'HOMELAB_WIZARD_SSH_KEY' : 'operator.identityFile';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (agent) return { file, agent };
    throw new SshError('ssh-identity', host, `cannot read the SSH key ${file} (${source}): ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, `set ${source} to your private key, e.g. ~/.ssh/id_ed25519, or start ssh-agent with the key loaded`, error);
  }
  if (isEncryptedKey(text)) {
    if (agent) return { file, agent };
    throw new SshError('ssh-identity', host, `the SSH key ${file} is protected by a passphrase`, 'load it into ssh-agent (`ssh-add`) so SSH_AUTH_SOCK is set, then run again');
  }
  return { file, privateKey: text, ...(agent ? { agent } : {}) };
}
