// Section 2 (issue 9): a no-change `apply --only harden,deploy` of a converged sandbox server,
// next to bench/ansible/check.yml (the same checks, Debian's ansible-core over SSH, pipelining on)
// on the same server in the same run. Goal: under 1 s. The SSH connections of every timed run
// are counted from the server's sshd log (section 3 reports them).
import { ansibleRunner, acceptedConnections } from '../lib/ansible.mjs';
import { timeChecks } from '../lib/probe-checks.mjs';
import { formatMs, formatSummary, summarize, verdict } from '../lib/stats.mjs';
import { measure, runTimed } from '../lib/timing.mjs';

export const title = 'No-change apply';
export const goal = 'a no-change `apply` (harden and deploy phases) of a converged server in under 1 s';

const NO_CHANGE = /Apply complete: 0 changed, \d+ unchanged on (\d+) hosts?/;

/** Time no-change runs of both tools against these servers, counting sshd's accepted connections per host and run. */
export async function measureNoChange(ctx, { bed, servers, project }, { runs, ansible = true, plan: withPlan = true, args = [] }) {
  // Per timed run: sshd's accepted connections per server, and the CPU time all servers used.
  const counted = (once) => async () => {
    const before = await Promise.all(servers.map((s) => acceptedConnections(bed, s)));
    const cpuBefore = await Promise.all(servers.map((s) => bed.cpuNs(s)));
    const r = await once();
    const cpuAfter = await Promise.all(servers.map((s) => bed.cpuNs(s)));
    const after = await Promise.all(servers.map((s) => acceptedConnections(bed, s)));
    const serverCpuMs = cpuAfter.every((c, i) => c !== undefined && cpuBefore[i] !== undefined) ? cpuAfter.reduce((sum, c, i) => sum + (c - cpuBefore[i]) / 1e6, 0) : undefined;
    r.extra = { ...r.extra, connections: after.map((a, i) => a - before[i]), serverCpuMs };
    return r;
  };
  const ours = await measure('homelab-wizard apply (no change)', counted(() => project.cli(['apply', '--only', 'harden,deploy', ...args], { cpu: true })), {
    runs,
    check: (r) => r.code === 0 && NO_CHANGE.test(r.stdout + r.stderr) && Number(NO_CHANGE.exec(r.stdout + r.stderr)[1]) === servers.length,
  });
  ctx.log(`  homelab-wizard apply, no change, ${servers.length} host(s): ${formatSummary(ours)}, load ${ours.load1}`);
  let plan;
  if (withPlan) {
    plan = await measure('homelab-wizard plan (no change)', counted(() => project.cli(['plan', '--only', 'harden,deploy', ...args], { cpu: true })), { runs });
    ctx.log(`  homelab-wizard plan, no change, ${servers.length} host(s): ${formatSummary(plan)}, load ${plan.load1}`);
  }
  let theirs;
  if (ansible && ctx.ansible) {
    const runner = ansibleRunner(ctx.repo, bed, project, servers);
    try {
      theirs = await measure('ansible-playbook check.yml (no change)', counted(() => runner.run()), { runs, check: (r) => r.code === 0 && r.unchanged });
      ctx.log(`  ansible-playbook, no change, ${servers.length} host(s): ${formatSummary(theirs)}, load ${theirs.load1}`);
    } finally {
      runner.remove();
    }
  }
  return { ours, plan, theirs };
}

export const connectionsPerHost = (m) => summarize(m.extras.flatMap((e) => e.connections));

/** CPU time all servers used per timed run (undefined when their cgroups could not be read). */
export const serverCpuOf = (m) => (m.extras.every((e) => e.serverCpuMs !== undefined) ? summarize(m.extras.map((e) => e.serverCpuMs)) : undefined);

export async function run(ctx) {
  const single = await ctx.converged();
  const { bed, servers } = single;
  // The floor: OpenSSH's client, one new connection and one round trip, as the admin on 2222.
  const floor = await measure('ssh host true', () => runTimed('ssh', ['-i', bed.privateKeyPath, '-p', '2222', '-o', `UserKnownHostsFile=${single.project.knownHosts}`, '-o', 'BatchMode=yes', `deploy@${servers[0].address}`, 'true'], { timeoutMs: 30_000 }), { runs: ctx.runs(5) });
  ctx.log(`  ssh host true: ${formatSummary(floor)}`);
  const m = await measureNoChange(ctx, single, { runs: ctx.runs(5) });
  ctx.shared.noChange = m;
  // Where the time goes: the server's side (every check of the probe, timed alone) and ours (CPU).
  const checks = await timeChecks(ctx.repo, bed, servers[0], single.project, ctx.runs(5));
  const cpu = summarize(m.ours.extras.map((e) => e.cpuMs));
  const serverCpu = serverCpuOf(m.ours);
  const costliest = checks.checks.slice(0, 3).map((c) => `${c.id} ${formatMs(c.median)}`).join(', ');
  ctx.log(`  probe checks on the server: ${formatSummary(checks.total)} for ${checks.count}; costliest ${costliest}; our CPU per apply ${formatSummary(cpu)}`);
  const rows = [
    ['first converge, `apply --only harden,deploy` on a fresh server (1 run)', formatSummary(single.firstConverge), single.firstConverge.load1, ''],
    ['`homelab-wizard apply --only harden,deploy`, no change', formatSummary(m.ours), m.ours.load1, verdict(m.ours.median, 1000)],
    ['`homelab-wizard plan --only harden,deploy`, no change', formatSummary(m.plan), m.plan.load1, ''],
    ...(m.theirs ? [['`ansible-playbook bench/ansible/check.yml`, no change (pipelining on)', formatSummary(m.theirs), m.theirs.load1, verdict(m.theirs.median, 1000)]] : [['ansible-playbook', 'not measured: ansible-playbook missing', '', '']]),
    ['`ssh host true` (the floor: 1 new connection, 1 round trip)', formatSummary(floor), floor.load1, ''],
    [`where it goes, server: the probe's ${checks.count} checks, each timed alone in the server (sum; costliest: ${costliest})`, formatSummary(checks.total), '', ''],
    ['where it goes, server: CPU time the server used during a no-change apply (its cgroup; sshd, sudo and the probe)', serverCpu ? formatSummary(serverCpu) : 'not measured: no cgroup found', m.ours.load1, ''],
    ['where it goes, ours: CPU time (user + system) of the `homelab-wizard` process per no-change apply', formatSummary(cpu), m.ours.load1, ''],
  ];
  return { headers: ['what (1 sandbox server)', 'median (min–max)', 'load (1 min)', 'goal < 1 s'], rows, figures: { ...m, floor, firstConverge: single.firstConverge, checks, cpu, serverCpu }, goalMet: m.ours.median < 1000 };
}
