import { spawn } from 'node:child_process';
import { addCleanup } from '../lib/signal-cleanup.js';

/**
 * Runs the operator's editor the way git does: `$VISUAL`, else `$EDITOR`, else `vi`, through the
 * shell with the file as "$@", so `EDITOR="code --wait"` or an editor with flags works. If this
 * process is interrupted, the editor is stopped too, before the buffer is removed.
 */
export function editorCommand(env: NodeJS.ProcessEnv): string {
  for (const name of ['VISUAL', 'EDITOR']) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return 'vi';
}

export interface EditorExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function runEditor(command: string, file: string, env: NodeJS.ProcessEnv): Promise<EditorExit> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${command} "$@"`, command, file], { stdio: 'inherit', env });
    const forget = addCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
    child.once('error', (error) => {
      forget();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      forget();
      resolve({ code, signal });
    });
  });
}
