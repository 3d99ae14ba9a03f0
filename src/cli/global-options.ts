import path from 'node:path';
import type { Io } from './io.js';

/** The flags every command takes (DESIGN §1). */
export interface GlobalOptions {
  readonly profile?: string;
  readonly dir: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly yes: boolean;
  /** Never prompt. Implied when stdin or stdout is not a terminal, and by CI. */
  readonly nonInteractive: boolean;
}

export interface RawGlobalOptions {
  profile?: string;
  dir?: string;
  json?: boolean;
  verbose?: boolean;
  yes?: boolean;
  nonInteractive?: boolean;
}

export function resolveGlobalOptions(raw: RawGlobalOptions, io: Io): GlobalOptions {
  const ci = io.env['CI'] !== undefined && io.env['CI'] !== '' && io.env['CI'] !== 'false' && io.env['CI'] !== '0';
  return {
    ...(raw.profile !== undefined ? { profile: raw.profile } : {}),
    dir: path.resolve(io.cwd, raw.dir ?? '.'),
    json: raw.json === true,
    verbose: raw.verbose === true,
    yes: raw.yes === true,
    nonInteractive: raw.nonInteractive === true || !io.interactiveTerminal || ci,
  };
}
