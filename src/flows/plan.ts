import path from 'node:path';
import type { CommandRunner } from '../cli/program.js';
import { hasChanges, summarize, type HostPlan, type Plan } from '../plan/plan.js';
import { renderPlanText } from '../plan/render-text.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { openPool, prepareEngine, type EngineSetup } from './engine-setup.js';
import { engineOptions } from './engine-options.js';
import { probeHosts } from './probe-hosts.js';
import { atomicWrite } from '../vault/atomic-write.js';
import type { GlobalOptions } from '../cli/global-options.js';
import type { Io } from '../cli/io.js';

/** Probe the hosts of a setup into a Plan; shared by `plan` and `apply --plan` checks. */
export async function makePlan(setup: EngineSetup, global: GlobalOptions, io: Io, options: { acceptNewHostKeys: boolean; concurrency: number }): Promise<Plan> {
  const reachable = setup.work.some((w) => w.host.address !== undefined);
  const opened = reachable ? await openPool(setup, global, { acceptNewHostKeys: options.acceptNewHostKeys, io }) : undefined;
  let hosts: HostPlan[];
  try {
    hosts = await probeHosts(setup, opened?.pool, options.concurrency);
  } finally {
    await opened?.pool.closeAll();
  }
  return {
    format: 'homelab-wizard-plan',
    version: 1,
    profile: setup.profileName,
    project: setup.profile.project.name,
    phases: setup.phases,
    createdAt: new Date().toISOString(),
    hosts,
  };
}

/** `plan`: read-only; exit 0 no changes, 2 changes, 1 a host could not be planned. */
export const planCommand: CommandRunner = async (global, io, _args, raw) => {
  const options = engineOptions(raw);
  const out = typeof raw['out'] === 'string' ? path.resolve(io.cwd, raw['out']) : undefined;
  const setup = await prepareEngine(global, { ...options, io });
  const plan = await makePlan(setup, global, io, options);
  if (out) await atomicWrite(out, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  if (global.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  else io.stdout(renderPlanText(plan, { verbose: global.verbose, color: io.stdoutTerminal === true && io.env['NO_COLOR'] === undefined }));
  const summary = summarize(plan.hosts);
  if (out) io.stderr(`Saved the plan to ${out}; apply exactly this plan with \`homelab-wizard apply --plan ${path.relative(io.cwd, out) || out}\`.\n`);
  if (summary.problems > 0) return EXIT_ERROR;
  return hasChanges(summary) ? EXIT_CHANGES : EXIT_OK;
};
