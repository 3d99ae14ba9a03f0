import type { ChildProcess } from 'node:child_process';

/** Polls `url` until it answers 200, for at most 5 s: a stand-in started as a local process. */
export async function untilAnswers(url: string, what: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start`);
}

/** Stops a stand-in process (SIGTERM) and waits until it has exited; nothing to do when it already has. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}
