import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Io } from '../contracts/io.js';
import { expandHome } from '../ssh/identity.js';
import type { SshKeyPair } from '../ssh/keygen.js';
import type { Secret } from '../lib/secret.js';

/**
 * An SSH key `init` offers to make when the operator has none: generated in memory while the
 * answers are checked, written (never over an existing file) only when init writes the profile
 * that uses it, so an aborted init leaves nothing behind.
 */
export interface PendingSshKey {
  /** The private key file, `~` expanded. */
  readonly file: string;
  /** As the operator wrote it (`~/.ssh/id_ed25519`), for messages and `operator.identityFile`. */
  readonly shown: string;
  readonly pair: SshKeyPair;
}

export const DEFAULT_KEY_FILE = '~/.ssh/id_ed25519';

/** The home folder of whoever runs the tool: $HOME of the command's environment first (tests give their own). */
export function homeOf(io: Pick<Io, 'env'>): string {
  const home = io.env['HOME'];
  return home !== undefined && home !== '' ? home : os.homedir();
}

/** ssh2 (the key generator) loads only when a key is made. */
export async function pendingSshKey(io: Pick<Io, 'env'>, shown: string, passphrase?: Secret): Promise<PendingSshKey> {
  const { generateSshKey } = await import('../ssh/keygen.js');
  const comment = `${os.userInfo().username}@${os.hostname()}`;
  return { file: expandHome(shown, homeOf(io)), shown, pair: generateSshKey({ comment, ...(passphrase ? { passphrase } : {}) }) };
}

/**
 * Write the key, then a passphrase-protected one goes into ssh-agent, which is how the tool uses
 * such keys: `ssh-add` asks for the passphrase on the terminal itself (never in argv). Without a
 * terminal or an agent, say what to run.
 */
export async function writePendingKey(pending: PendingSshKey, io: Io, out: (line: string) => void): Promise<void> {
  const { writeSshKey } = await import('../ssh/keygen.js');
  await writeSshKey(pending.file, pending.pair);
  out(`created the SSH key ${pending.shown} (ed25519${pending.pair.encrypted ? ', protected by your passphrase' : ', no passphrase'}) and ${pending.shown}.pub`);
  if (!pending.pair.encrypted) return;
  const agent = io.env['SSH_AUTH_SOCK'];
  if (agent !== undefined && agent !== '' && io.interactiveTerminal) {
    out('adding it to your ssh-agent (ssh-add asks for the passphrase):');
    const code = await new Promise<number>((resolve) => {
      const child = spawn('ssh-add', [pending.file], { stdio: 'inherit', env: io.env });
      child.on('error', () => resolve(127));
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code === 0) return;
  }
  out(`before apply, load it into ssh-agent: ${agent ? '' : 'eval "$(ssh-agent)" && '}ssh-add ${pending.shown}`);
}
