import path from 'node:path';
import type { CommandRunner } from '../contracts/command-runner.js';
import { hasChanges, summarize, type HostPlan, type Plan } from '../plan/plan.js';
import { renderPlanText } from '../plan/render-text.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { openPool, prepareEngine, type EngineSetup } from '../session/engine-setup.js';
import { engineOptions } from '../session/engine-options.js';
import { probeHostsWith } from '../run/probe-hosts.js';
import type { ProbeRequest } from '../engine/runner.js';
import type { InventoryFacts } from '../plan/inventory.js';
import type { Host } from '../profile/schema.js';
import { atomicWrite } from '../vault/atomic-write.js';
import type { CloudStep } from '../run/cloud-phases.js';
import { hasCloudWork } from '../run/cloud-work.js';
import type { StepChange } from '../plan/change.js';
import { unknownStep } from '../plan/evaluate.js';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';

function toChange(step: CloudStep): StepChange {
  return { id: step.id, phase: step.phase, describe: step.describe, risk: step.risk, action: step.action, reasons: step.reasons, files: [] };
}

/**
 * The provision and dns lines go first in each host's plan. A host that provision is about to
 * create has no address yet: its SSH steps are `?` (known after provision), not a problem.
 */
function mergeCloud(setup: EngineSetup, hosts: HostPlan[], steps: readonly CloudStep[], toCreate: ReadonlySet<string>, unknown: ReadonlyMap<string, string> = new Map()): HostPlan[] {
  if (steps.length === 0 && unknown.size === 0) return hosts;
  const merged = hosts.map((plan): HostPlan => {
    const mine = steps.filter((s) => s.host === plan.host).map(toChange);
    const why = unknown.get(plan.host);
    if (why !== undefined && plan.problem) {
      // No address and no answer from the API: this host cannot be planned, and the problem says why.
      const problem = { code: 'provider-error', message: why, hint: 'check the network and providers.hetzner.endpoint (or HCLOUD_ENDPOINT), then plan again' };
      return { ...plan, problem, steps: [...mine, ...plan.steps.map((s) => ({ ...s, reasons: [why] }))] };
    }
    if (toCreate.has(plan.host) && plan.problem) {
      const { problem: _problem, ...rest } = plan;
      const work = setup.work.find((w) => w.host.name === plan.host);
      return { ...rest, steps: [...mine, ...(work?.steps ?? []).map((s) => unknownStep(s, 'known after provision creates the server'))] };
    }
    return { ...plan, steps: [...mine, ...plan.steps] };
  });
  // A labelled server whose host left the profile gets a plan of its own: its `-` line.
  for (const host of new Set(steps.map((s) => s.host))) {
    if (!merged.some((h) => h.host === host)) merged.push({ host, steps: steps.filter((s) => s.host === host).map(toChange), desiredDigest: '', observedDigest: '' });
  }
  return merged;
}

/** Probe the hosts of a setup into a Plan; shared by `plan` and `apply --plan` checks. */
export async function makePlan(setup: EngineSetup, global: GlobalOptions, io: Io, options: { acceptNewHostKeys: boolean; concurrency: number }): Promise<Plan> {
  return (await makePlanWith(setup, global, io, options)).plan;
}

/** makePlan, also reading each host's inventory in the same round trip when `inventory` is given (`status`). */
export async function makePlanWith(
  setup: EngineSetup,
  global: GlobalOptions,
  io: Io,
  options: { acceptNewHostKeys: boolean; concurrency: number },
  inventory?: (host: Host) => ProbeRequest['inventory'],
): Promise<{ plan: Plan; inventories: ReadonlyMap<string, InventoryFacts> }> {
  const cloud = hasCloudWork(setup) ? await (await import('../run/cloud-phases.js')).planCloudPhases({ global, io, setup }) : { steps: [], toCreate: new Set<string>(), unknown: new Map<string, string>() };
  const reachable = setup.work.some((w) => w.host.address !== undefined);
  const opened = reachable ? await openPool(setup, global, { acceptNewHostKeys: options.acceptNewHostKeys, io }) : undefined;
  let hosts: HostPlan[];
  const inventories = new Map<string, InventoryFacts>();
  try {
    const probes = await probeHostsWith(setup, opened?.pool, options.concurrency, inventory);
    hosts = probes.map((p) => p.plan);
    for (const p of probes) if (p.inventory) inventories.set(p.plan.host, p.inventory);
  } finally {
    await opened?.pool.closeAll();
  }
  hosts = mergeCloud(setup, hosts, cloud.steps, cloud.toCreate, cloud.unknown);
  const plan: Plan = {
    format: 'homelab-wizard-plan',
    version: 1,
    profile: setup.profileName,
    project: setup.profile.project.name,
    phases: setup.phases,
    createdAt: new Date().toISOString(),
    hosts,
    ...((setup.templateOverrides ?? []).length > 0 ? { templateOverrides: setup.templateOverrides } : {}),
  };
  return { plan, inventories };
}

/** `plan`: read-only; exit 0 no changes, 2 changes, 1 a host could not be planned. */
export const planCommand: CommandRunner = async (global, io, _args, raw) => {
  const options = engineOptions(raw);
  const out = typeof raw['out'] === 'string' ? path.resolve(io.cwd, raw['out']) : undefined;
  const setup = await prepareEngine(global, { ...options, io });
  const plan = await makePlan(setup, global, io, options);
  if (out) await atomicWrite(out, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  if (global.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  else io.stdout(renderPlanText(plan, { verbose: global.verbose, color: io.stdoutTerminal === true && io.env['NO_COLOR'] === undefined, cwd: io.cwd }));
  const summary = summarize(plan.hosts);
  if (out) io.stderr(`Saved the plan to ${out}; apply exactly this plan with \`homelab-wizard apply --plan ${path.relative(io.cwd, out) || out}\`.\n`);
  if (summary.problems > 0) return EXIT_ERROR;
  // A guard left armed reverts on its own unless the next apply resolves it: not a quiet host.
  return hasChanges(summary) || plan.hosts.some((h) => (h.guards?.length ?? 0) > 0) ? EXIT_CHANGES : EXIT_OK;
};
