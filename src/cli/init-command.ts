import { WizardError } from '../errors.js';
import type { CommandRunner } from '../contracts/command-runner.js';

/** `init`: the answers file goes straight to the flow; the wizard (Ink) loads only for a terminal. */
export const init: CommandRunner = async (global, io, _args, options) => {
  const answersFile = options['answers'] as string | undefined;
  const plainFlag = options['plainProfile'] === true;
  if (answersFile !== undefined) return (await import('../commands/init.js')).initFromAnswers(global, io, answersFile, plainFlag, options['createSshKey'] === true);
  if (global.nonInteractive) {
    throw new WizardError('usage', 'init needs a terminal for the wizard, or an answers file', 'run it in a terminal, or pass --answers FILE (see profiles/answers.example.yaml)');
  }
  return (await import('./init-wizard.js')).initInteractive(global, io, plainFlag);
};
