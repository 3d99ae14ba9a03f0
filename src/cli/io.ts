/** What a command may touch of its process: injected so tests can run commands in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Both stdin and stdout are terminals: prompts and Ink are possible. */
  readonly interactiveTerminal: boolean;
  /** stdout / stderr are terminals: live progress can redraw there (absent: treated as not). */
  readonly stdoutTerminal?: boolean;
  readonly stderrTerminal?: boolean;
}

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interactiveTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    stdoutTerminal: Boolean(process.stdout.isTTY),
    stderrTerminal: Boolean(process.stderr.isTTY),
  };
}
