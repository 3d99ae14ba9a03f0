// Section 1 (issue 9): cold start of `--help` and `profile check`, a new Node process each run as
// a user types the command, next to `ansible-playbook --version`. Goal: median under 150 ms.
// Shown for the shipped bundle (dist/bundle) and the plain tsc output (dist/, the build before
// the bundle), with the environment as it is and without NODE_EXTRA_CA_CERTS.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { measure, runTimedSync } from '../lib/timing.mjs';
import { formatSummary, summarize, verdict } from '../lib/stats.mjs';

export const title = 'Cold start';
export const goal = 'median under 150 ms for `--help` and `profile check`';

export async function run(ctx) {
  const bin = path.join(ctx.repo, 'bin/homelab-wizard.js');
  const unbundled = path.join(ctx.repo, 'bench/lib/unbundled.mjs');
  const node = process.execPath;
  const node22 = path.join(ctx.repo, 'test/node22/node_modules/.bin/node');
  const cases = [
    { name: 'node -e "" (the floor)', cmd: node, args: ['-e', ''] },
    { name: '`--help` (bundle, shipped)', cmd: node, args: [bin, '--help'], goal: 150 },
    { name: '`--help` (tsc output, before)', cmd: node, args: [unbundled, '--help'] },
    { name: '`profile check` (bundle, shipped)', cmd: node, args: [bin, 'profile', 'check', '--profile', 'vpai'], goal: 150 },
    { name: '`profile check` (tsc output, before)', cmd: node, args: [unbundled, 'profile', 'check', '--profile', 'vpai'] },
    // Node 22.1+ keeps V8's compiled code between runs (the launcher switches it on); the suite's
    // own Node 22 (test/node22, installed by `npm test`) shows what that is worth.
    ...(existsSync(node22)
      ? [
          { name: '`profile check` on Node 22 (compile cache on, as shipped)', cmd: node22, args: [bin, 'profile', 'check', '--profile', 'vpai'] },
          { name: '`profile check` on Node 22 (compile cache off)', cmd: node22, args: [bin, 'profile', 'check', '--profile', 'vpai'], env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
        ]
      : []),
    ...(ctx.ansible ? [{ name: '`ansible-playbook --version`', cmd: 'ansible-playbook', args: ['--version'] }] : []),
  ];
  const { NODE_EXTRA_CA_CERTS: extra, ...clean } = process.env;
  const envs = extra ? [['as is (NODE_EXTRA_CA_CERTS set)', process.env], ['without NODE_EXTRA_CA_CERTS', clean]] : [['as is (NODE_EXTRA_CA_CERTS not set)', process.env]];
  const runs = ctx.runs(10);
  const figures = [];
  for (const c of cases) {
    const row = { case: c.name, byEnv: {} };
    for (const [label, env] of envs) {
      const m = await measure(`${c.name} ${label}`, async () => runTimedSync(c.cmd, c.args, { cwd: ctx.repo, env: { ...env, ...c.env } }), { warmups: 2, runs });
      if (m.extras.every((e) => e?.cpuMs !== undefined)) m.cpu = summarize(m.extras.map((e) => e.cpuMs));
      row.byEnv[label] = m;
      ctx.log(`  ${c.name.padEnd(40)} ${label.padEnd(32)} ${formatSummary(m)}${m.cpu ? `, CPU ${formatSummary(m.cpu)}` : ''}  load ${m.load1}`);
    }
    figures.push({ ...row, goal: c.goal });
  }
  // Wall time is what a user waits; CPU time (user + system, GNU time) shows the same cost with
  // less of the noise a machine shared with other jobs adds.
  const cell = (m) => `${formatSummary(m)}${m.cpu ? `; CPU ${formatSummary(m.cpu)}` : ''}; load ${m.load1}`;
  const headers = ['command', ...envs.map(([l]) => `${l}: wall; CPU`), 'goal < 150 ms (wall)'];
  const rows = figures.map((f) => [f.case, ...envs.map(([l]) => cell(f.byEnv[l])),
    f.goal ? envs.map(([l]) => verdict(f.byEnv[l].median, f.goal)).join(' / ') : '']);
  const met = figures.filter((f) => f.goal).every((f) => f.byEnv[envs[0][0]].median < f.goal);
  return { headers, rows, figures, goalMet: met, runs };
}
