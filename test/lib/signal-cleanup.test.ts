import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/profiles.js';

/** Runs a small program against the built module in its own process: signals are process-wide. */
function run(program: string): { status: number | null; signal: NodeJS.Signals | null; stdout: string } {
  const module = path.join(REPO, 'dist', 'lib', 'signal-cleanup.js');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { addCleanup, onInterrupt } from ${JSON.stringify(module)};\n${program}`], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout };
}

describe('the one owner of the process signals', () => {
  it('runs the clean-ups on SIGINT, then ends the process with the signal', () => {
    const r = run(`addCleanup(() => console.log('cleaned')); process.kill(process.pid, 'SIGINT'); setTimeout(() => console.log('still alive'), 2000);`);
    expect(r.stdout).toBe('cleaned\n');
    expect(r.signal).toBe('SIGINT');
  });

  it('gives SIGINT and SIGTERM to a graceful stop instead, which keeps the process and its clean-ups; SIGHUP still ends it', () => {
    const r = run(`addCleanup(() => console.log('cleaned'));
const stop = onInterrupt((s) => console.log('stopping on ' + s));
process.kill(process.pid, 'SIGINT');
setTimeout(() => { process.kill(process.pid, 'SIGTERM'); }, 200);
setTimeout(() => { stop(); console.log('done'); process.kill(process.pid, 'SIGHUP'); }, 400);
setTimeout(() => console.log('still alive'), 3000);`);
    expect(r.stdout).toBe('stopping on SIGINT\nstopping on SIGTERM\ndone\ncleaned\n');
    expect(r.signal).toBe('SIGHUP');
  });
});
