// Section 4 (issue 9): 1, 3 and 6 sandbox servers at once, in one run of each tool: first
// converge (harden and deploy of the small stack on fresh servers; one run per size, since each
// needs fresh servers) and no-change runs. Goal: 6 servers within 1.5 times the time of one.
// The only place bench/run has more than two servers: six, once, removed right after.
// BENCH_SCALING_ANSIBLE=0 leaves out the Ansible runs here (each is tens of seconds on a busy
// machine; sections 2 and 3 still compare the tools).
import { makeProject } from '../lib/project.mjs';
import { load } from '../lib/machine.mjs';
import { formatMs, formatSummary } from '../lib/stats.mjs';
import { measureNoChange, serverCpuOf } from './apply.mjs';

export const title = 'Scaling';
export const goal = '6 servers within 1.5 times the time of 1 (first converge and no-change apply)';

export async function run(ctx) {
  const bed = await ctx.bed();
  const sizes = [1, 3, 6];
  const results = [];
  for (const n of sizes) {
    const hosts = Array.from({ length: n }, (_, i) => `s${n}h${i + 1}`);
    ctx.log(`  ${n} server(s): starting …`);
    const servers = (await Promise.all(hosts.map((h) => bed.start([h])))).flat();
    const project = await makeProject(ctx.repo, bed, servers, `scale${n}`);
    try {
      const args = ['--concurrency', String(n)];
      const l = load()[0];
      const cpuBefore = await Promise.all(servers.map((s) => bed.cpuNs(s)));
      const first = await project.cli(['apply', '--only', 'harden,deploy', '--accept-new-host-keys', ...args]);
      const cpuAfter = await Promise.all(servers.map((s) => bed.cpuNs(s)));
      const convergeCpuMs = [...cpuBefore, ...cpuAfter].every((c) => c !== undefined) ? cpuAfter.reduce((sum, c, i) => sum + (c - cpuBefore[i]) / 1e6, 0) : undefined;
      if (first.code !== 0) throw new Error(`first converge of ${n} servers failed (exit ${first.code}):\n${(first.stdout + first.stderr).slice(-4000)}`);
      const converge = { median: first.ms, min: first.ms, max: first.ms, runs: 1, load1: l, serverCpuMs: convergeCpuMs };
      ctx.log(`  ${n} server(s): first converge ${formatMs(first.ms)}, load ${l}`);
      const m = await measureNoChange(ctx, { bed, servers, project }, { runs: ctx.runs(5), args, plan: false, ansible: process.env.BENCH_SCALING_ANSIBLE !== '0' });
      results.push({ n, converge, ...m });
    } finally {
      await bed.remove(hosts);
      project.remove();
    }
  }
  const one = results[0];
  const ratio = (x, base) => `${(x.median / base.median).toFixed(2)}×`;
  const rows = results.map((r) => [
    String(r.n),
    `${formatSummary(r.converge)}, load ${r.converge.load1}`,
    ratio(r.converge, one.converge),
    r.converge.serverCpuMs === undefined ? 'not measured' : formatMs(r.converge.serverCpuMs),
    `${formatSummary(r.ours)}, load ${r.ours.load1}`,
    ratio(r.ours, one.ours),
    serverCpuOf(r.ours) ? formatSummary(serverCpuOf(r.ours)) : 'not measured',
    r.theirs ? `${formatSummary(r.theirs)}, load ${r.theirs.load1}` : 'not measured',
    r.theirs ? ratio(r.theirs, one.theirs) : '',
  ]);
  const six = results.find((r) => r.n === 6);
  const goalMet = six.converge.median <= 1.5 * one.converge.median && six.ours.median <= 1.5 * one.ours.median;
  return {
    headers: ['servers', 'first converge (homelab-wizard)', 'vs 1', 'CPU all servers used in it', 'no-change apply (homelab-wizard)', 'vs 1', 'CPU all servers used per no-change apply', 'no-change ansible-playbook', 'vs 1'],
    rows,
    figures: results,
    goalMet,
  };
}
