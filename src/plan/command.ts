import type { Secret } from '../lib/secret.js';

/**
 * A remote command as data. `argv` is `readonly string[]`, so a `Secret` cannot be put there: the
 * compiler refuses it. A secret reaches a command only through `stdin`.
 */
export interface Command {
  readonly argv: readonly string[];
  /**
   * Commands manage the system, so they run as root: through sudo when the login user is not root.
   * `false` runs the command as the login user.
   */
  readonly sudo?: boolean;
  readonly stdin?: string | Secret;
}

export function cmd(...argv: string[]): Command {
  return { argv };
}
