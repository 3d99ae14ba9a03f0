import type { OpenTerminal } from '../commands/exec.js';

/** This process's terminal for `exec`, when stdin and stdout both are one; raw until restored. */
export function processTerminal(): OpenTerminal | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  return () => {
    // Raw, but not resumed: a stream that flows before anyone listens drops what was typed
    // ahead; the runner's 'data' listener starts the flow once the remote terminal is there.
    process.stdin.setRawMode(true);
    return {
      input: process.stdin,
      write: (chunk) => void process.stdout.write(chunk),
      rows: process.stdout.rows,
      cols: process.stdout.columns,
      term: process.env['TERM'] ?? 'xterm-256color',
      onResize: (resize) => {
        const on = (): void => resize(process.stdout.rows, process.stdout.columns);
        process.stdout.on('resize', on);
        return () => process.stdout.off('resize', on);
      },
      restore: () => {
        process.stdin.setRawMode(false);
        process.stdin.pause();
      },
    };
  };
}
