// Section 3 (issue 9): SSH connections per host per run, counted from each server's sshd log
// (`Accepted publickey` lines in its journal, read with docker exec so the count adds none), for
// the runs timed in section 2 (or, run alone, five runs of each). Goal: 1.
import { connectionsPerHost, measureNoChange } from './apply.mjs';

export const title = 'SSH connections per host per run';
export const goal = 'one SSH connection per host per run';

export async function run(ctx) {
  const m = ctx.shared.noChange ?? (ctx.shared.noChange = await measureNoChange(ctx, await ctx.converged(), { runs: ctx.runs(5) }));
  const row = (name, x) => {
    const c = connectionsPerHost(x);
    return [name, c.min === c.max ? String(c.median) : `${c.median} (${c.min}–${c.max})`, x.runs, c.max <= 1 ? 'meets' : 'MISSES'];
  };
  const rows = [row('homelab-wizard apply, no change', m.ours), row('homelab-wizard plan, no change', m.plan), ...(m.theirs ? [row('ansible-playbook check.yml (ControlMaster, cold)', m.theirs)] : [])];
  const ours = connectionsPerHost(m.ours);
  return { headers: ['tool', 'connections per host per run', 'runs counted', 'goal 1'], rows, figures: { ours, plan: connectionsPerHost(m.plan), ansible: m.theirs ? connectionsPerHost(m.theirs) : undefined }, goalMet: ours.max <= 1 };
}
