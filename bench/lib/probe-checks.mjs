// Where a no-change probe's time goes on the server: the same checks the probe runs (the steps of
// the harden and deploy phases, built by the tool's own code from the bench profile and vault),
// each timed alone as root inside the server with `docker exec` (no SSH connection added), as the
// probe runs them: `( timeout 120 CHECK ) </dev/null >/dev/null 2>&1`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { summarize } from './stats.mjs';

export async function timeChecks(repo, bed, server, project, runs) {
  const dist = (p) => import(pathToFileURL(path.join(repo, 'dist', p)).href);
  const { hostSteps } = await dist('steps/registry.js');
  const { quote } = await dist('shell/quote.js');
  const host = project.profile.hosts.find((h) => h.name === server.host);
  // The vault's values as the bench generated them (Secret objects already).
  const context = { secret: (key) => project.secrets.get(key) };
  const steps = hostSteps(project.profile, host, ['harden', 'deploy'], context).filter((s) => s.check);
  const script = steps
    .map((s, i) => `a=$EPOCHREALTIME; ( timeout 120 ${quote(s.check.argv)} ) </dev/null >/dev/null 2>&1; c=$?; b=$EPOCHREALTIME; echo "${i} $c $(( \${b/./} - \${a/./} ))"`)
    .join('\n');
  const samples = steps.map(() => []);
  for (let run = 0; run <= runs; run += 1) {
    const out = await bed.docker.out(['exec', server.container, 'bash', '-c', script]);
    for (const line of out.trim().split('\n')) {
      const [i, code, us] = line.split(' ').map(Number);
      if (code !== 0) throw new Error(`check of ${steps[i].id} exits ${code} on a converged server`);
      if (run > 0) samples[i].push(us / 1000); // run 0 is the warm-up
    }
  }
  const checks = steps.map((s, i) => ({ id: s.id, ...summarize(samples[i]) })).sort((a, b) => b.median - a.median);
  const totals = samples[0].map((_, run) => samples.reduce((sum, s) => sum + s[run], 0));
  return { checks, total: summarize(totals), count: steps.length };
}
