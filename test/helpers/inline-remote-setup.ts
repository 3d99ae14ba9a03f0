import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: src/remote/generated-scripts.ts written again from the .sh files before any
 * test imports it, so a script edited since the last build is the one the tests run.
 */
export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/inline-remote.mjs', import.meta.url))], { stdio: 'inherit' });
}
