import type { Io } from '../../src/cli/io.js';

/** An in-memory Io for running commands in-process. */
export function captureIo(overrides: Partial<Io> = {}): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: {},
    cwd: process.cwd(),
    interactiveTerminal: false,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}
