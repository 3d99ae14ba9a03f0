import { UserAbortError } from '../errors.js';
import { nameConfirms } from '../steps/day2/confirmation.js';

/** Yes/no, or the typed profile name for a production profile; asked on stderr. */
export async function confirmInteractively(kind: 'ask-yes-no' | 'ask-name', profileName: string, what: string): Promise<boolean> {
  const prompts = await import('@inquirer/prompts');
  const abort = (error: unknown): never => {
    throw error instanceof Error && error.name === 'ExitPromptError' ? new UserAbortError() : error;
  };
  process.stdin.ref?.();
  if (kind === 'ask-yes-no') return prompts.confirm({ message: `${what}?`, default: false }, { output: process.stderr }).catch(abort);
  const answer = await prompts.input({ message: `${profileName} is a production profile. Type its name to ${what.toLowerCase()}:` }, { output: process.stderr }).catch(abort);
  return nameConfirms(answer, profileName);
}
