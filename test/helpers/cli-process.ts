import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO } from './profiles.js';

export const BIN = path.join(REPO, 'bin/homelab-wizard.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Written to the CLI's stdin, which is then closed (secrets go this way, never in argv); no stdin without it. */
  readonly input?: string;
}

/** The built CLI as a child process with piped output; killed if it outlives the timeout. */
export function startCli(args: readonly string[], options: CliOptions): { child: ChildProcess; result: Promise<CliResult> } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env['CI'];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, result };
}

export function cli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).result;
}
