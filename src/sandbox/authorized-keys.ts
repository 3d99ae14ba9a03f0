import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { WizardError } from '../errors.js';
import { sshPublicKey } from '../profile/fields.js';

/** Public keys authorised for root on plain sandbox servers: --ssh-key FILE, else the usual ~/.ssh keys. */
export async function defaultAuthorizedKeys(explicit: string | undefined, cwd: string): Promise<string[]> {
  const candidates = explicit !== undefined
    ? [path.resolve(cwd, explicit.replace(/^~(?=\/)/, homedir()))]
    : ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'].map((f) => path.join(homedir(), '.ssh', f));
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      if (explicit !== undefined) throw new WizardError('sandbox-usage', `--ssh-key: cannot read ${file}`, 'pass the path of an OpenSSH public key file (.pub)');
      continue;
    }
    const keys = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const bad = keys.find((k) => !sshPublicKey.safeParse(k).success);
    if (keys.length === 0 || bad !== undefined) {
      throw new WizardError('sandbox-usage', `--ssh-key: ${file} is not an OpenSSH public key file`, 'pass a .pub file such as ~/.ssh/id_ed25519.pub (never the private key)');
    }
    return keys;
  }
  throw new WizardError('sandbox-usage', 'no SSH public key found in ~/.ssh (id_ed25519.pub, id_ecdsa.pub, id_rsa.pub)', 'create one with `ssh-keygen -t ed25519`, or pass --ssh-key FILE.pub');
}
