import path from 'node:path';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';

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
