#!/usr/bin/env node
// Cold start of the CLI: a new Node process each run, as a user types the command.
// Goal (BENCHMARKS.md): median under 150 ms for `--help` and `profile check`.
// Usage: node bench/cold-start.mjs [runs]   (run `npm ci` first; it builds dist/)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const runs = Number(process.argv[2] ?? 20);
const root = fileURLToPath(new URL('..', import.meta.url));
const cases = [
  ['node -e "" (floor)', null],
  ['--help', ['--help']],
  ['profile check', ['profile', 'check', '--profile', 'vpai']],
  ['catalog list --json', ['catalog', 'list', '--json']],
];

function time(args, env) {
  const argv = args === null ? ['-e', ''] : ['bin/homelab-wizard.js', ...args];
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'ignore', env });
  if (r.status !== 0) throw new Error(`homelab-wizard ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s.at(-1) };
};

// NODE_EXTRA_CA_CERTS makes Node parse a whole CA bundle before running anything (about 80 ms on
// these machines); measure with the environment as it is and without that variable.
const { NODE_EXTRA_CA_CERTS: extraCa, ...clean } = process.env;
const environments = extraCa ? [['as is (NODE_EXTRA_CA_CERTS set)', process.env], ['without NODE_EXTRA_CA_CERTS', clean]] : [['as is', process.env]];

console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? 'unknown'}), ${runs} runs after 2 warm-ups`);
for (const [label, env] of environments) {
  console.log(`\nenvironment: ${label}`);
  for (const [name, args] of cases) {
    time(args, env);
    time(args, env);
    const { median, min, max } = stats(Array.from({ length: runs }, () => time(args, env)));
    const verdict = args === null ? '' : median < 150 ? '  meets the 150 ms goal' : '  MISSES the 150 ms goal';
    console.log(`  ${name.padEnd(22)} median ${median.toFixed(1)} ms  min ${min.toFixed(1)}  max ${max.toFixed(1)}${verdict}`);
  }
}
