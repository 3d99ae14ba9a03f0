#!/usr/bin/env node
// The whole test suite: unit and integration (test/vitest.config.ts), then end to end
// (test/e2e/vitest.config.ts) after test/e2e/bootstrap.sh has prepared Docker and the test bed.
//
//   node test/run.mjs          everything (what `npm test` and CI run), the unit and integration
//                              suites once more on Node 22 (test/node22, from the npm registry)
//   node test/run.mjs --fast   unit and integration only: no Docker needed (`npm run test:fast`)
//   node test/run.mjs --e2e    the end-to-end suite only
//
// Ends with one line `tests: N passed, N failed` summing both suites.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const fast = !args.includes('--e2e');
const e2e = !args.includes('--fast');
const vitest = path.join(repo, 'node_modules', 'vitest', 'vitest.mjs');
const reports = mkdtempSync(path.join(tmpdir(), 'hlw-test-report-'));
const totals = { passed: 0, failed: 0 };
let failed = false;

function runVitest(name, config, node = process.execPath) {
  const report = path.join(reports, `${name}.json`);
  const result = spawnSync(node, [vitest, 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: repo, stdio: 'inherit' });
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += json.numPassedTests;
    // A file that fails to load fails no test but its suite: count it too.
    totals.failed += json.numFailedTests > 0 ? json.numFailedTests : json.numFailedTestSuites;
  } catch {
    totals.failed += 1; // no report: the run itself broke
  }
  if (result.status !== 0) failed = true;
}

const started = Date.now();
if (fast) runVitest('fast', path.join(repo, 'test/vitest.config.ts'));
// DESIGN §5: the suite also runs on Node 22, where most users are; its binary comes from npm.
if (fast && e2e) {
  const prefix = path.join(repo, 'test/node22');
  const install = spawnSync('npm', ['ci', '--prefix', prefix, '--silent', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
  if (install.status !== 0) {
    process.stderr.write('the Node 22 run did not start: npm ci in test/node22 failed (see above)\n');
    failed = true;
    totals.failed += 1;
  } else {
    process.stdout.write('\nthe unit and integration suites again, on Node 22:\n');
    runVitest('fast-node22', path.join(repo, 'test/vitest.config.ts'), path.join(prefix, 'node_modules', '.bin', 'node'));
  }
}
if (e2e) {
  const boot = spawnSync('bash', [path.join(repo, 'test/e2e/bootstrap.sh')], { cwd: repo, stdio: 'inherit' });
  if (boot.status !== 0) {
    const how = boot.signal ? `was killed by ${boot.signal}` : `exited with ${boot.status}`;
    process.stderr.write(`the end-to-end suite did not run: test/e2e/bootstrap.sh ${how} (see above)\n`);
    failed = true;
    totals.failed += 1;
  } else {
    runVitest('e2e', path.join(repo, 'test/e2e/vitest.config.ts'));
  }
}
rmSync(reports, { recursive: true, force: true });
process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed (${Math.round((Date.now() - started) / 1000)} s)\n`);
process.exitCode = failed || totals.failed > 0 ? 1 : 0;
