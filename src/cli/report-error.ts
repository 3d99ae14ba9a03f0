import { WizardError } from '../errors.js';
import { EXIT_ERROR } from '../lib/exit-codes.js';
import type { Io } from '../contracts/io.js';

function causeChain(error: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = error instanceof Error ? error.cause : undefined;
  while (current !== undefined) {
    lines.push(current instanceof Error ? `caused by: ${current.stack ?? current.message}` : `caused by: ${String(current)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}

/** One line of what happened, one of what to do; problems of a profile one per line; the rest only with --verbose. */
export function reportError(error: unknown, io: Io, verbose: boolean): number {
  if (error instanceof WizardError) {
    io.stderr(`error: ${error.message}\n`);
    for (const issue of error.issues) io.stderr(`  ${issue.path}: ${issue.message}\n`);
    io.stderr(`  hint: ${error.hint}\n`);
    if (verbose) for (const line of causeChain(error)) io.stderr(`${line}\n`);
    return error.exitCode;
  }
  // Anything else is a bug in homelab-wizard: say so, and keep the trace behind --verbose.
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`error: internal error: ${message}\n`);
  io.stderr('  hint: this is a bug in homelab-wizard; run again with --verbose and report the output\n');
  if (verbose && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return EXIT_ERROR;
}
