import { isSecret, type Secret } from '../lib/secret.js';
import { REMOTE_SCRIPTS } from '../remote/generated-scripts.js';
import { quote } from './quote.js';

/** Script text → its file name under src/remote, to name a script instead of printing it whole. */
const SCRIPT_NAMES = new Map(REMOTE_SCRIPTS.map((s) => [s.text, s.file.replace(/^src\/remote\//, '')]));

/** The parts of a command that describeCommand shows; `plan/command.ts` has the full type. */
export interface DescribableCommand {
  readonly argv: readonly string[];
  readonly stdin?: string | Secret;
}

/**
 * A command as logs, plans and error messages show it. The argv cannot hold a secret (its type is
 * `readonly string[]`); stdin can, and is shown only by its kind and size, never its content. One
 * of the tool's own scripts (`sh -c SCRIPT name args…`) is shown by its file and its arguments:
 * `sshd-remove-reload.sh /etc/ssh/…`, not dozens of lines of shell.
 */
export function describeCommand(command: DescribableCommand): string {
  const [shell, flag, script, , ...args] = command.argv;
  const known = shell === 'sh' && flag === '-c' && script !== undefined ? SCRIPT_NAMES.get(script) : undefined;
  const line = known !== undefined ? quote([known, ...args]) : quote(command.argv);
  if (command.stdin === undefined) return line;
  const what = isSecret(command.stdin) ? 'secret' : `${Buffer.byteLength(command.stdin)} bytes`;
  return `${line} < [stdin: ${what}]`;
}
