import { execFileSync } from 'node:child_process';
import { ensureCommands } from './system-packages.js';
import { waitFor } from './sshd.js';

/** A real terminal: a detached tmux session of a fixed size running one shell command. */
export class TmuxSession {
  private constructor(readonly name: string) {}

  static start(command: string, size = { width: 100, height: 30 }): TmuxSession {
    ensureCommands({ tmux: 'tmux' });
    const name = `hlw-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', String(size.width), '-y', String(size.height), command]);
    return new TmuxSession(name);
  }

  screen(): string {
    try {
      return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }

  /** Poll the screen until it matches; returns the last screen seen. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitFor(() => this.screen(), (s) => pattern.test(s), timeoutMs, 50);
  }

  /** Keys as tmux names them; Enter goes in its own call (text plus Enter in one chunk is read as text). */
  send(...keys: string[]): void {
    for (const key of keys) execFileSync('tmux', ['send-keys', '-t', this.name, key]);
  }

  stop(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
