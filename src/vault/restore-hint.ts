import { existsSync } from 'node:fs';
import { shownPath } from './shown-path.js';

/** Where a good copy of a damaged file is: its .bak only when one exists, else version control. */
export function restoreHint(file: string): string {
  const shown = shownPath(file);
  return existsSync(`${file}.bak`)
    ? `restore it from ${shown}.bak or from version control (git checkout -- ${shown})`
    : `restore it from version control (git checkout -- ${shown}) or a backup (there is no ${shown}.bak)`;
}
