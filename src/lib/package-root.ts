import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the installed package, found from a module's URL. Code runs from src/ (tests),
 * dist/ (tsc) or dist/bundle/ (the shipped bundle), at different depths, so a fixed `../..` would
 * be right for only one of them: the nearest folder up holding package.json and templates/.
 */
export function packageRoot(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  for (let depth = 0; depth < 8; depth += 1) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'templates'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`homelab-wizard: cannot find the package folder above ${fileURLToPath(moduleUrl)}`);
}
