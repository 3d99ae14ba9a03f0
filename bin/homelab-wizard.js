#!/usr/bin/env node
// Thin launcher: Node 20 cannot run TypeScript. It loads the bundle in dist/bundle/ (esbuild, over
// the tsc output in dist/): one file instead of hundreds makes the cold start cheaper
// (BENCHMARKS.md, cold start).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node 22.1+ keeps V8's compiled code on disk between runs (about a third of a cold start here);
// Node 20 has no such API, and this line does nothing there.
module.enableCompileCache?.();

const entry = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error: homelab-wizard is not built yet (dist/bundle/main.js is missing)\n' +
      '  hint: run `npm ci` (it builds) or `npm run build` in the homelab-wizard folder\n',
  );
  process.exit(1);
}
// A reader that goes away (`homelab-wizard --help | head`) must not crash the program with a stack
// trace, nor stop an apply half-way: output to a closed pipe is dropped and the work goes on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
