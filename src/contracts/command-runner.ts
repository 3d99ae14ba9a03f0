import type { GlobalOptions } from './global-options.js';
import type { Io } from './io.js';

/** A command's work, loaded lazily so `--help` and `profile check` stay fast. */
export type CommandRunner = (global: GlobalOptions, io: Io, args: readonly unknown[], options: Record<string, unknown>) => Promise<number>;
