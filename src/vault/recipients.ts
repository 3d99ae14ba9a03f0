import { readFile } from 'node:fs/promises';
import { WizardError } from '../errors.js';
import { profilePaths } from '../profile/paths.js';
import { ageHeader, recipientProblem, unarmor } from './age.js';
import { atomicWrite, withLock } from './atomic-write.js';
import type { IdentityProvider } from './identity.js';
import { reencryptProfile } from './profile-file.js';
import { parseRecipients } from './recipients-file.js';
import { shownPath } from './shown-path.js';
import { assertStillReadable, openVault, readRecipients, sealVault } from './vault.js';

/**
 * Changing who can read a profile's secrets: the recipients file first (it states the intent),
 * then the vault and the encrypted profile are re-encrypted to the new list. If anything stops
 * half-way, running the same command again finishes the job: a vault whose header does not
 * match the list is re-encrypted even when the list itself is already right.
 */
export interface RecipientsChange {
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** The vault (and encrypted profile) were re-encrypted. */
  readonly reencrypted: boolean;
  readonly profileReencrypted: boolean;
}

/** Recipient stanzas in an age file's header; undefined when it cannot be read. */
export async function stanzaCount(file: string): Promise<number | undefined> {
  try {
    const bytes = await readFile(file);
    const ctx = { file: shownPath(file), restoreHint: '' };
    return ageHeader(unarmor(bytes, ctx), ctx).stanzaTypes.length;
  } catch {
    return undefined;
  }
}

export async function changeRecipients(
  dir: string,
  profileName: string,
  change: (text: string, current: readonly string[]) => string,
  options: { identity: IdentityProvider; command?: string },
): Promise<RecipientsChange> {
  const paths = profilePaths(dir, profileName);
  const identity = await options.identity();
  return withLock(paths.vault, async () => {
    const listed = await readRecipients(dir, profileName);
    if (listed === undefined) {
      throw new WizardError('recipient-invalid', `${shownPath(paths.recipients)} does not exist`, `create the vault first: \`homelab-wizard secrets set KEY --profile ${profileName}\` writes it with your key`);
    }
    const text = change(listed.text, listed.recipients);
    const { recipients: after, issues } = parseRecipients(text);
    for (const r of after) {
      const problem = recipientProblem(r);
      if (problem !== undefined) issues.push({ path: r.slice(0, 16), message: problem });
    }
    if (issues.length > 0) throw new WizardError('recipient-invalid', 'the new recipients list is not valid', 'pass an age1… X25519 public key', { issues });
    if (after.length === 0) throw new WizardError('recipient-invalid', 'that would leave the vault with no recipient', 'add another recipient first');
    assertStillReadable(after, identity, paths.recipients);
    const sameList = after.length === listed.recipients.length && after.every((r) => listed.recipients.includes(r));
    const count = await stanzaCount(paths.vault);
    if (sameList && (count === undefined || count === after.length)) return { before: listed.recipients, after, reencrypted: false, profileReencrypted: false };
    if (text !== listed.text) await atomicWrite(paths.recipients, text, { mode: 0o644 });
    let reencrypted = false;
    if (count !== undefined) {
      // Decrypt through openVault so every damage is reported as it is for any other command.
      const vault = await openVault(dir, profileName, { identity: async () => identity });
      await atomicWrite(paths.vault, await sealVault(vault.entries(), after, identity, paths.vault), { mode: 0o644 });
      reencrypted = true;
    }
    const profileReencrypted = await reencryptProfile(dir, profileName, after, async () => identity);
    return { before: listed.recipients, after, reencrypted, profileReencrypted };
  }, { command: options.command ?? 'secrets recipients' });
}
