import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CommanderError } from 'commander';
import { processIo } from './cli/io.js';
import { buildProgram, commanderExit } from './cli/program.js';
import { reportError } from './cli/report-error.js';
import type { Io } from './contracts/io.js';
import { packageRoot } from './lib/package-root.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Parse, dispatch, map every outcome to an exit code. The caller sets process.exitCode. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, packageVersion(), (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, io);
    return reportError(error, io, argv.includes('--verbose'));
  }
}
