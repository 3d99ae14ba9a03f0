import type { Io } from '../contracts/io.js';
import { UserAbortError } from '../errors.js';
import { DEFAULT_KEY_FILE, pendingSshKey, type PendingSshKey } from '../commands/ssh-key.js';

/**
 * Before the wizard, when ~/.ssh holds no key: offer to make one, so a newcomer needs no
 * ssh-keygen of their own. A passphrase (typed twice, hidden) protects the file, and the key is
 * then used through ssh-agent, as the tool uses every protected key. The key is only generated
 * here; init writes it with the profile (nothing is left behind by an aborted wizard).
 */
export async function offerSshKey(io: Io): Promise<PendingSshKey | undefined> {
  const { select } = await import('@inquirer/prompts');
  let choice: 'passphrase' | 'plain' | 'no';
  try {
    choice = await select({
      message: `No SSH key in ~/.ssh. Create ${DEFAULT_KEY_FILE} (ed25519) for logging in to your servers?`,
      choices: [
        { name: 'yes, protected by a passphrase (used through ssh-agent)', value: 'passphrase' as const },
        { name: 'yes, without a passphrase', value: 'plain' as const },
        { name: 'no, I will paste a public key', value: 'no' as const },
      ],
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new UserAbortError('init aborted: nothing was written');
    throw error;
  }
  if (choice === 'no') return undefined;
  if (choice === 'plain') return await pendingSshKey(io, DEFAULT_KEY_FILE);
  for (;;) {
    const first = await io.prompts.secret('passphrase for the new key');
    if (first.length === 0) {
      io.stderr('an empty passphrase is no passphrase: type one, or Ctrl-C and choose "without a passphrase"\n');
      continue;
    }
    const again = await io.prompts.secret('the same passphrase again');
    if (again.reveal() === first.reveal()) return await pendingSshKey(io, DEFAULT_KEY_FILE, first);
    io.stderr('the two passphrases differ; try again\n');
  }
}
