#!/usr/bin/env node
// Bundles the tsc output (dist/) into dist/bundle/ for a faster cold start (BENCHMARKS.md, cold
// start): on Node 20 every module file costs a read and a compile, and zod, yaml and commander
// alone are about 150 files. One file for what every command needs, with code splitting so each
// lazily imported command (and what only it loads) stays a separate chunk, loaded on demand.
// Packages that are heavy or native (ssh2, Ink/React, prompts, listr2, age) stay external and
// lazy: they are only imported from those chunks.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
// Small, pure-JS packages (no native code, no WebAssembly): inlined, so Node resolves and reads
// one chunk instead of dozens of files each.
const INLINE = new Set(['zod', 'yaml', 'commander', 'age-encryption', 'diff', 'eta']);
const external = Object.keys(pkg.dependencies).filter((name) => !INLINE.has(name)).flatMap((name) => [name, `${name}/*`]);

const outdir = `${root}/dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${root}/dist/main.js`],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunk-[hash]',
  // commander and yaml are CommonJS: their require() of Node built-ins needs a real require.
  banner: { js: "import { createRequire as __hlwCreateRequire } from 'node:module'; const require = __hlwCreateRequire(import.meta.url);" },
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
});
