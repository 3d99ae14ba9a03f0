import { isSecret, type Secret } from '../lib/secret.js';
import { quote } from './quote.js';

/** The parts of a command that describeCommand shows; `plan/command.ts` has the full type. */
export interface DescribableCommand {
  readonly argv: readonly string[];
  readonly stdin?: string | Secret;
}

/**
 * A command as logs, plans and error messages show it. The argv cannot hold a secret (its type is
 * `readonly string[]`); stdin can, and is shown only by its kind and size, never its content.
 */
export function describeCommand(command: DescribableCommand): string {
  const line = quote(command.argv);
  if (command.stdin === undefined) return line;
  const what = isSecret(command.stdin) ? 'secret' : `${Buffer.byteLength(command.stdin)} bytes`;
  return `${line} < [stdin: ${what}]`;
}
