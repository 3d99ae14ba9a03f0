import type { CommandRunner } from '../cli/program.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import type { HostPlan } from '../plan/plan.js';
import { PHASES } from '../steps/phases.js';
import { prepareEngine } from './engine-setup.js';
import { engineOptions } from './engine-options.js';
import { makePlan } from './plan.js';

export interface HostStatus {
  readonly host: string;
  readonly target: string | null;
  readonly reachable: boolean;
  readonly problem: string | null;
  readonly lock: HostPlan['lock'] | null;
  readonly lastRun: HostPlan['lastRun'] | null;
  /** Ids of steps that are not converged. */
  readonly drift: readonly string[];
}

export function hostStatus(plan: HostPlan): HostStatus {
  return {
    host: plan.host,
    target: plan.target ?? null,
    reachable: plan.problem === undefined,
    problem: plan.problem ? `${plan.problem.message} (hint: ${plan.problem.hint})` : null,
    lock: plan.lock ?? null,
    lastRun: plan.lastRun ?? null,
    drift: plan.problem ? [] : plan.steps.filter((s) => s.action !== '=').map((s) => `${s.action} ${s.id}`),
  };
}

function renderStatus(s: HostStatus): string {
  const lines = [`${s.host}  ${s.target ?? ''}  ${s.reachable ? 'reachable' : 'NOT REACHABLE'}`.replace(/ {3,}/g, '  ')];
  if (!s.reachable) {
    lines.push(`  ${s.problem ?? ''}`);
    return lines.join('\n');
  }
  lines.push(`  lock:      ${s.lock ? `held by ${s.lock.owner}@${s.lock.operatorHost} since ${s.lock.startedAt} (pid ${s.lock.pid}, ${s.lock.command})` : 'free'}`);
  const r = s.lastRun;
  lines.push(`  last run:  ${r ? `${r.at} \`${r.command}\` by ${r.who}: ${r.result}, ${r.changed} changed${r.failedStep ? `, failed at ${r.failedStep}` : ''}` : 'none recorded'}`);
  lines.push(`  drift:     ${s.drift.length === 0 ? 'none' : `${s.drift.length} step${s.drift.length === 1 ? '' : 's'} differ: ${s.drift.join(', ')}`}`);
  return lines.join('\n');
}

/** `status`: read-only. Exit 0 in sync, 2 drift, 1 a host could not be reached. */
export const statusCommand: CommandRunner = async (global, io, _args, raw) => {
  const options = engineOptions(raw);
  const setup = await prepareEngine(global, { ...(options.host ? { host: options.host } : {}), only: options.only ?? PHASES.join(','), io });
  const plan = await makePlan(setup, global, io, options);
  const statuses = plan.hosts.map(hostStatus);
  if (global.json) io.stdout(`${JSON.stringify(statuses, null, 2)}\n`);
  else io.stdout(`${statuses.map(renderStatus).join('\n\n')}\n`);
  if (statuses.some((s) => !s.reachable)) return EXIT_ERROR;
  return statuses.some((s) => s.drift.length > 0) ? EXIT_CHANGES : EXIT_OK;
};
