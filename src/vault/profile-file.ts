import { readFile, rename } from 'node:fs/promises';
import { WizardError } from '../errors.js';
import type { ProfileDecryptor } from '../profile/load.js';
import { profilePaths } from '../profile/paths.js';
import { decryptWithIdentities, encryptToRecipients, type FileContext } from './age.js';
import { AGE_VERSION_LINE } from './age-header.js';
import { atomicWrite, withLock } from './atomic-write.js';
import type { IdentityProvider } from './identity.js';
import { assertStillReadable, readRecipients } from './vault.js';
import { restoreHint } from './restore-hint.js';
import { shownPath } from './shown-path.js';

/**
 * The profile as a file: plain `profiles/<name>.yaml`, or `profiles/<name>.yaml.age` encrypted to
 * the vault's recipients so addresses and domains stay private in a public repository. Writing
 * one form moves the other to its `.bak`, so a profile never exists twice.
 */

function profileContext(file: string): FileContext {
  const shown = shownPath(file);
  return { file: shown, restoreHint: restoreHint(file) };
}

/** Decrypts `profiles/<name>.yaml.age` for readProfile (src/profile/load.ts). */
export function profileDecryptor(identity: IdentityProvider): ProfileDecryptor {
  return async (armored, file) => {
    // readProfile reads text; a binary age file does not survive that, so it is read again as bytes.
    const bytes = armored.startsWith(AGE_VERSION_LINE) ? await readFile(file) : new TextEncoder().encode(armored);
    const unlocked = await identity();
    return decryptWithIdentities(bytes, unlocked.keys, unlocked.publicKey, profileContext(file));
  };
}

export interface ProfileWriteOptions {
  readonly encrypted: boolean;
  /** For an encrypted profile: the keys to encrypt to (default: vault/<name>.recipients). */
  readonly recipients?: readonly string[];
  /** When given, the new encrypted file is decrypted once to prove it reads back. */
  readonly identity?: IdentityProvider;
}

/** Write a profile atomically (keeping `.bak`), under the profile's lock. Returns the file written. */
export async function writeProfileFile(dir: string, name: string, yamlText: string, options: ProfileWriteOptions): Promise<string> {
  const paths = profilePaths(dir, name);
  const target = options.encrypted ? paths.encrypted : paths.plain;
  const other = options.encrypted ? paths.plain : paths.encrypted;
  return withLock(paths.plain, async () => {
    let content = yamlText;
    if (options.encrypted) {
      const listed = options.recipients ?? (await readRecipients(dir, name))?.recipients;
      if (listed === undefined || listed.length === 0) {
        throw new WizardError('recipient-invalid', `no recipients to encrypt ${shownPath(target)} to: ${shownPath(paths.recipients)} is missing`, 'create the vault first (`homelab-wizard secrets set KEY`), or write the profile plain');
      }
      content = await encryptToRecipients(yamlText, listed);
      if (options.identity !== undefined) {
        const unlocked = await options.identity();
        assertStillReadable(listed, unlocked, paths.recipients);
        const back = await decryptWithIdentities(new TextEncoder().encode(content), unlocked.keys, unlocked.publicKey, profileContext(target));
        if (back !== yamlText) throw new WizardError('internal', `the new ${shownPath(target)} did not decrypt back to what was written; nothing was changed`, 'this is a bug in homelab-wizard; report it');
      }
    }
    await atomicWrite(target, content, { mode: 0o644 });
    // A switch of form (plain ⇄ encrypted) keeps the old file as its .bak, like every other rewrite.
    await rename(other, `${other}.bak`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return target;
  }, { command: 'write profile' });
}

/** Re-encrypt an encrypted profile to a new list of recipients (after `secrets recipients add|remove`). */
export async function reencryptProfile(dir: string, name: string, recipients: readonly string[], identity: IdentityProvider): Promise<boolean> {
  const paths = profilePaths(dir, name);
  let armored: string;
  try {
    armored = await readFile(paths.encrypted, 'utf8');
  } catch {
    return false;
  }
  const text = await profileDecryptor(identity)(armored, paths.encrypted);
  await writeProfileFile(dir, name, text, { encrypted: true, recipients, identity });
  return true;
}
