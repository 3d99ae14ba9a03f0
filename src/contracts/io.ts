import type { Prompts } from './prompts.js';

/** What a command may touch of its process: injected so tests can run commands in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Both stdin and stdout are terminals: prompts and Ink are possible. */
  readonly interactiveTerminal: boolean;
  /** Questions on the terminal; only asked when the command may prompt (not --non-interactive). */
  readonly prompts: Prompts;
  /**
   * Everything piped on stdin, or undefined when stdin is a terminal (nothing was piped).
   * Secrets travel this way, never in argv.
   */
  readonly readStdin?: () => Promise<string | undefined>;
  /** stdout / stderr are terminals: live progress can redraw there (absent: treated as not). */
  readonly stdoutTerminal?: boolean;
  readonly stderrTerminal?: boolean;
}
