import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A real terminal for tests: one tmux server per session on its own socket, so nothing touches
 * the user's tmux. The command runs from a script that records its exit status in a file.
 * Keys and Enter go in separate send-keys calls (a chunk of text plus Enter is read as text).
 */
export class TmuxSession {
  private constructor(
    private readonly socket: string,
    private readonly rcFile: string,
  ) {}

  static start(command: string, options: { cwd: string; env: Record<string, string | undefined>; name: string; width?: number; height?: number }): TmuxSession {
    const socket = `hlw-test-${process.pid}-${options.name}`;
    const script = path.join(options.cwd, `${options.name}.tmux.sh`);
    const rcFile = path.join(options.cwd, `${options.name}.rc`);
    const exports = Object.entries(options.env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `export ${k}='${String(v).replace(/'/g, `'\\''`)}'`)
      .join('\n');
    writeFileSync(script, `#!/bin/sh\ncd '${options.cwd}'\nunset CI\n${exports}\n${command}\necho $? > '${rcFile}'\nsleep 600\n`, { mode: 0o700 });
    // The server copies the environment of the first client: give it a clean one, so CI=true of a
    // CI run does not make the program under test think it has no terminal.
    const clean = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'test', '-x', String(options.width ?? 150), '-y', String(options.height ?? 40), `sh '${script}'`], { timeout: 10_000, env: clean });
    return new TmuxSession(socket, rcFile);
  }

  type(text: string): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', 'test', '-l', text], { timeout: 10_000 });
  }

  /** tmux key names: Enter, Escape, Up, Down, Space, BSpace, C-c … */
  keys(...names: string[]): void {
    for (const name of names) execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', 'test', name], { timeout: 10_000 });
  }

  enter(): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', 'test', 'Enter'], { timeout: 10_000 });
  }

  screen(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'test', '-S', '-200'], { encoding: 'utf8', timeout: 10_000 });
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`tmux: ${pattern} did not appear within ${timeoutMs} ms; screen:\n${screen}`);
      await sleep(100);
    }
  }

  async exitCode(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.rcFile)) {
      if (Date.now() > deadline) throw new Error(`tmux: the command did not finish within ${timeoutMs} ms; screen:\n${this.screen()}`);
      await sleep(100);
    }
    return Number(readFileSync(this.rcFile, 'utf8').trim());
  }

  kill(): void {
    try {
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], { timeout: 10_000, stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}
