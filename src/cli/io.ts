import type { Io } from '../contracts/io.js';
import { terminalPrompts } from './terminal-prompts.js';

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
    prompts: terminalPrompts,
    readStdin: readProcessStdin,
    stdoutTerminal: Boolean(process.stdout.isTTY),
    stderrTerminal: Boolean(process.stderr.isTTY),
  };
}
