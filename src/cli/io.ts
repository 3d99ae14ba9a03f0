/** What a command may touch of its process: injected so tests can run commands in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Both stdin and stdout are terminals: prompts and Ink are possible. */
  readonly interactiveTerminal: boolean;
  /**
   * Everything piped on stdin, or undefined when stdin is a terminal (nothing was piped).
   * Secrets travel this way, never in argv.
   */
  readonly readStdin?: () => Promise<string | undefined>;
  /** stdout / stderr are terminals: live progress can redraw there (absent: treated as not). */
  readonly stdoutTerminal?: boolean;
  readonly stderrTerminal?: boolean;
}

/** Bound: a secret is small; anything larger on stdin is a mistake (a wrong file piped in). */
export const MAX_STDIN_BYTES = 1024 * 1024;

async function readProcessStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_STDIN_BYTES) throw new RangeError(`more than ${MAX_STDIN_BYTES} bytes on stdin`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interactiveTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    readStdin: readProcessStdin,
    stdoutTerminal: Boolean(process.stdout.isTTY),
    stderrTerminal: Boolean(process.stderr.isTTY),
  };
}
