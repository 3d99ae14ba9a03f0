#!/usr/bin/env node
// bench/run: every benchmark of issue 9, or one section (`bench/run <section>`). Prints a table
// per section, writes its figures to bench/results/<section>.json and rewrites that section's
// table in BENCHMARKS.md (between <!-- bench:NAME:start/end --> markers; --no-write leaves the
// file alone). Sandbox servers are started here and removed at the end, on failure and on Ctrl-C.
// BENCH_RUNS=N changes the number of timed runs (at least 5; each after warm-ups).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBed } from './lib/bed.mjs';
import { describeMachine, load, machine } from './lib/machine.mjs';
import { makeProject } from './lib/project.mjs';
import { formatMs, markdownTable, rewriteBlock, textTable } from './lib/stats.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
// Run order: the cheap local sections first, scaling (the only one with six servers) last.
const SECTIONS = ['cold', 'vault', 'apply', 'connections', 'redeploy', 'scaling'];
const argv = process.argv.slice(2);
const write = !argv.includes('--no-write');
const wanted = argv.filter((a) => !a.startsWith('--'));
for (const w of wanted) {
  if (!SECTIONS.includes(w)) {
    process.stderr.write(`error: unknown section '${w}'\n  hint: one of ${SECTIONS.join(', ')} (or none for all)\n`);
    process.exit(1);
  }
}
const chosen = wanted.length > 0 ? SECTIONS.filter((s) => wanted.includes(s)) : SECTIONS;
const log = (line) => process.stdout.write(`${line}\n`);
const started = Date.now();

/** Debian's ansible-core, installed as root when missing; otherwise say what to install. */
function ensureAnsible() {
  if (spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    log('installing ansible-core (apt-get) for the comparison …');
    const r = spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ansible-core >/dev/null || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ansible-core >/dev/null; }'], { stdio: 'inherit' });
    if (r.status === 0) return true;
  }
  log('ansible-playbook is missing: install Debian\'s ansible-core (apt-get install ansible-core) for the Ansible figures; they are left out now');
  return false;
}

function requireBuild() {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/homelab-wizard.js'), '--version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`error: the CLI does not start: ${r.stderr.trim()}\n  hint: run \`npm ci\` (it builds) or \`npm run build\` first\n`);
    process.exit(1);
  }
}

/** The test bed's own set-up (packages, a running Docker engine, images, registry): idempotent, as the end-to-end suite runs it. */
function bootstrap() {
  log('preparing the test bed (test/e2e/bootstrap.sh) …');
  const r = spawnSync('bash', [path.join(repo, 'test/e2e/bootstrap.sh')], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`error: test/e2e/bootstrap.sh failed (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`})\n  hint: it names what is missing; the sandbox sections need Docker, OpenSSH and the sandbox images\n`);
    process.exit(1);
  }
}

requireBuild();
const needsBed = chosen.some((s) => ['apply', 'connections', 'redeploy', 'scaling'].includes(s));
if (needsBed) bootstrap();
const ctx = {
  repo,
  log,
  ansible: chosen.some((s) => ['cold', 'apply', 'connections', 'scaling'].includes(s)) ? ensureAnsible() : false,
  shared: {},
  runs: (n) => Math.max(5, Number(process.env.BENCH_RUNS) || n),
  _bed: undefined,
  _single: undefined,
  async bed() {
    if (!this._bed) {
      const bed = await openBed(repo, log);
      this._bed = bed; // registered before setUp, so a failed setUp is cleaned up too
      await bed.setUp();
    }
    return this._bed;
  },
  /** One sandbox server converged with harden and deploy (the first converge is timed), shared by sections 2, 3 and 5. */
  async converged() {
    if (!this._single) {
      const bed = await this.bed();
      const servers = await bed.start(['solo']);
      const project = await makeProject(repo, bed, servers);
      log('  converging one sandbox server (harden and deploy) …');
      const l = load()[0];
      const first = await project.cli(['apply', '--only', 'harden,deploy', '--accept-new-host-keys']);
      if (first.code !== 0) throw new Error(`first converge failed (exit ${first.code}):\n${(first.stdout + first.stderr).slice(-4000)}`);
      this._single = { bed, servers, project, firstConverge: { median: first.ms, min: first.ms, max: first.ms, runs: 1, load1: l } };
    }
    return this._single;
  },
  /** Removes the shared server (scaling may use six servers, and no more). */
  async releaseSingle() {
    if (this._single) {
      await this._single.bed.remove(this._single.servers.map((s) => s.host));
      this._single.project.remove();
      this._single = undefined;
    }
  },
};

let cleaning;
async function cleanUp() {
  cleaning ??= (async () => {
    if (ctx._single) ctx._single.project.remove();
    if (ctx._bed) {
      log('removing the benchmark sandbox servers …');
      await ctx._bed.tearDown();
      const left = await ctx._bed.leftovers();
      if (left.length > 0) log(`warning: left in Docker: ${left.join(' ')}`);
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`\n${signal}: stopping, removing what bench/run started …`);
    cleanUp().catch(() => {}).finally(() => process.exit(130));
  });
}

const m = machine();
log(`bench/run ${chosen.join(', ')}\nmachine: ${describeMachine(m)}`);
const resultsDir = path.join(repo, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const failed = [];
try {
  for (const name of chosen) {
    const section = await import(`./sections/${name}.mjs`);
    const t0 = Date.now();
    log(`\n== ${section.title} (${name}) — goal: ${section.goal}`);
    if (name === 'scaling') await ctx.releaseSingle();
    let result;
    try {
      result = await section.run(ctx);
    } catch (error) {
      failed.push(name);
      log(`  section ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const took = Date.now() - t0;
    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const loadNow = load();
    log('');
    log(textTable(result.headers, result.rows));
    log(`${result.goalMet ? 'goal met' : 'goal NOT met'}; section took ${formatMs(took)}; load average now ${loadNow.join(' ')}`);
    if (result.notMeasured) failed.push(name);
    const json = { section: name, title: section.title, goal: section.goal, goalMet: result.goalMet, at: when, tookMs: took, machine: { ...m, load: loadNow }, headers: result.headers, rows: result.rows, figures: result.figures };
    writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    if (write) {
      const file = path.join(repo, 'BENCHMARKS.md');
      const body = [`Measured ${when} by \`bench/run ${name}\` on ${describeMachine({ ...m, load: loadNow })}; section took ${formatMs(took)}.`, '', markdownTable(result.headers, result.rows), '', `Goal: ${section.goal} — **${result.goalMet ? 'met' : 'not met'}**.`].join('\n');
      writeFileSync(file, rewriteBlock(readFileSync(file, 'utf8'), name, body));
    }
  }
} finally {
  await cleanUp().catch((error) => {
    failed.push('clean-up');
    log(`warning: removing the benchmark servers failed: ${error instanceof Error ? error.message : String(error)}; test/e2e/cleanup.sh removes every test-bed leftover`);
  });
}
log(`\nbench/run took ${formatMs(Date.now() - started)}${failed.length > 0 ? `; failed or not measured: ${failed.join(', ')}` : ''}`);
process.exitCode = failed.length > 0 ? 1 : 0;
