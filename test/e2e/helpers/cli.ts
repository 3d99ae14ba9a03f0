import type { ChildProcess } from 'node:child_process';
import { startCli, type CliResult } from '../../helpers/cli-process.js';

export type { CliResult } from '../../helpers/cli-process.js';

export interface ProjectCliOptions {
  /** The project folder, given as `--dir` (and the working directory). */
  readonly dir: string;
  /** Given as `--profile` before the arguments of every call, when set. */
  readonly profile?: string;
  /** Extra environment, read at every call: the identity a test makes in its `beforeAll` is there by then. */
  readonly env?: () => NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long; end-to-end runs deploy real stacks. */
  readonly timeoutMs?: number;
}

/** The built CLI bound to one project folder: `cli('apply', '--only', 'deploy')` → its exit code and output. */
export interface ProjectCli {
  (...args: string[]): Promise<CliResult>;
  /** The same with `input` on stdin (a secret for `secrets set`, never in argv). */
  withInput(input: string, ...args: string[]): Promise<CliResult>;
  /** The running process, for tests that read its output as it comes or kill it. */
  start(...args: string[]): { child: ChildProcess; result: Promise<CliResult> };
  /** Everything every call printed (stdout and stderr), for a test's secret scan. */
  readonly outputs: readonly string[];
}

/** The one way end-to-end files run the CLI (on top of the shared child-process runner). */
export function projectCli(options: ProjectCliOptions): ProjectCli {
  const outputs: string[] = [];
  const start = (args: readonly string[], input?: string): { child: ChildProcess; result: Promise<CliResult> } => {
    const argv = ['--dir', options.dir, ...(options.profile !== undefined ? ['--profile', options.profile] : []), ...args];
    const started = startCli(argv, { cwd: options.dir, env: options.env?.() ?? {}, timeoutMs: options.timeoutMs ?? 900_000, ...(input !== undefined ? { input } : {}) });
    const result = started.result.then((r) => {
      outputs.push(r.stdout, r.stderr);
      return r;
    });
    return { child: started.child, result };
  };
  const run = (...args: string[]): Promise<CliResult> => start(args).result;
  return Object.assign(run, {
    withInput: (input: string, ...args: string[]) => start(args, input).result,
    start: (...args: string[]) => start(args),
    outputs,
  });
}
