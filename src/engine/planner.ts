import { desiredDigest, observedDigest } from '../plan/digest.js';
import { contentHash, evaluateStep, unknownStep } from '../plan/evaluate.js';
import { isSecret } from '../lib/secret.js';
import type { HostPlan, HostProblem } from '../plan/plan.js';
import type { Step } from '../plan/step.js';
import type { ProbeReport, ProbeRequest, ProbeRunner } from './runner.js';

/** What to ask the host about these steps: their checks, and each file's expected hash. */
export function probeRequest(steps: readonly Step[], project: string, inventory?: ProbeRequest['inventory']): ProbeRequest {
  return {
    project,
    ...(inventory ? { inventory } : {}),
    steps: steps.map((step) => ({
      check: step.check,
      ...(step.checkReports ? { report: true } : {}),
      ...(step.dirs && step.dirs.length > 0 ? { dirs: step.dirs.map((d) => d.path) } : {}),
      files: (step.files ?? []).map((f) => ({ path: f.path, sha256: contentHash(f), secret: isSecret(f.content) })),
    })),
  };
}

/** The plan of one host from a probe report: pure. */
export function hostPlanFromReport(host: string, target: string, steps: readonly Step[], report: ProbeReport): HostPlan {
  const lock = report.lock && 'runId' in report.lock ? report.lock : undefined;
  return {
    host,
    target,
    steps: steps.map((step, i) => evaluateStep(step, report.steps[i] ?? { checkExit: null, dirs: [], files: [] })),
    ...(lock ? { lock } : {}),
    ...(report.lastAudit ? { lastRun: report.lastAudit } : {}),
    ...(report.guards && report.guards.length > 0 ? { guards: report.guards } : {}),
    desiredDigest: desiredDigest(steps),
    observedDigest: observedDigest(steps.map((s) => s.id), report.steps),
  };
}

/** A host that could not be probed: its steps are unknown, and the problem is said once. */
export function problemPlan(host: string, steps: readonly Step[], problem: HostProblem, target?: string): HostPlan {
  return {
    host,
    ...(target ? { target } : {}),
    steps: steps.map((s) => unknownStep(s, problem.message)),
    problem,
    desiredDigest: desiredDigest(steps),
    observedDigest: '',
  };
}

/**
 * Plan one host: one probe (one round trip) for every step. The runner is a ProbeRunner, which
 * has no exec or upload: planning cannot change a host.
 */
export async function planHost(runner: ProbeRunner, steps: readonly Step[], project: string): Promise<HostPlan> {
  return (await planHostWithReport(runner, steps, project)).plan;
}

/** planHost, also asking for the inventory (what runs, deployed files) in the same round trip. */
export async function planHostWithReport(runner: ProbeRunner, steps: readonly Step[], project: string, inventory?: ProbeRequest['inventory']): Promise<{ plan: HostPlan; report: ProbeReport }> {
  const report = await runner.probe(probeRequest(steps, project, inventory));
  return { plan: hostPlanFromReport(runner.host, runner.target, steps, report), report };
}
