import type { Secret } from '../lib/secret.js';

/**
 * Questions asked on the terminal. cli/ supplies them (it owns the prompt library); the code
 * below it only holds these functions, so it never draws on the terminal itself. Each rejects
 * with UserAbortError when the operator presses Ctrl-C.
 */
export interface Prompts {
  /** A hidden answer: nothing is echoed but `*`. */
  readonly secret: (message: string) => Promise<Secret>;
  /** Yes or no, no by default. */
  readonly confirm: (message: string) => Promise<boolean>;
  /** One typed line, e.g. the profile's name typed to confirm a destructive change. */
  readonly line: (message: string) => Promise<string>;
}
