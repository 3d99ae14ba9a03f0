import type { Io } from '../../src/contracts/io.js';
import type { Prompts } from '../../src/contracts/prompts.js';

/** An in-process command has no terminal: a prompt reaching here is a test's mistake, said loudly. */
const noPrompts: Prompts = {
  secret: (message) => Promise.reject(new Error(`unexpected prompt in a test: ${message}`)),
  confirm: (message) => Promise.reject(new Error(`unexpected prompt in a test: ${message}`)),
  line: (message) => Promise.reject(new Error(`unexpected prompt in a test: ${message}`)),
};

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
    prompts: noPrompts,
    ...overrides,
    out: () => out,
    err: () => err,
  };
}
