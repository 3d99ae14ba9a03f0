import type { Prompts } from '../contracts/prompts.js';
import { UserAbortError } from '../errors.js';
import { Secret } from '../lib/secret.js';

/** Ctrl-C in a prompt is the operator's abort (exit 130), not a failure. */
function abortOnExit(error: unknown): never {
  throw error instanceof Error && error.name === 'ExitPromptError' ? new UserAbortError() : error;
}

/**
 * The prompts of a terminal, drawn on stderr so stdout stays the command's output. Never used while
 * Ink or listr2 draws. The library is loaded on first use: it costs ~180 ms at start-up, and most
 * runs never ask.
 */
export const terminalPrompts: Prompts = {
  secret: async (message) => {
    const { password } = await import('@inquirer/prompts');
    return Secret.of(await password({ message, mask: '*' }, { output: process.stderr }).catch(abortOnExit));
  },
  confirm: async (message) => {
    const { confirm } = await import('@inquirer/prompts');
    return await confirm({ message, default: false }, { output: process.stderr }).catch(abortOnExit);
  },
  line: async (message) => {
    const { input } = await import('@inquirer/prompts');
    return await input({ message }, { output: process.stderr }).catch(abortOnExit);
  },
};
