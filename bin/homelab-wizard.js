#!/usr/bin/env node
// Thin launcher: Node 20 cannot run TypeScript, so it loads the tsc output from dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error: homelab-wizard is not built yet (dist/main.js is missing)\n' +
      '  hint: run `npm ci` (it builds) or `npm run build` in the homelab-wizard folder\n',
  );
  process.exit(1);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
