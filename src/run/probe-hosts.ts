import { WizardError } from '../errors.js';
import { mapLimited } from '../engine/limit.js';
import { planHost, planHostWithReport, problemPlan } from '../engine/planner.js';
import { isLateVpnStep } from '../steps/vpn/vpn-steps.js';
import type { ProbeRequest, ProbeRunner } from '../engine/runner.js';
import type { InventoryFacts } from '../plan/inventory.js';
import type { Host } from '../profile/schema.js';
import type { HostPlan } from '../plan/plan.js';
import type { Step } from '../plan/step.js';
import type { SshPool } from '../ssh/pool.js';
import { notProvisioned, type EngineSetup } from '../session/engine-setup.js';

/** Hand the planner a runner that has only `probe`, at run time as well as in its type. */
export function readOnly(runner: ProbeRunner): ProbeRunner {
  return { host: runner.host, target: runner.target, probe: (request) => runner.probe(request) };
}

export function problemOf(error: unknown): { code: string; message: string; hint: string } {
  if (error instanceof WizardError) return { code: error.code, message: error.message, hint: error.hint };
  return { code: 'internal', message: `internal error: ${error instanceof Error ? error.message : String(error)}`, hint: 'this is a bug in homelab-wizard; run again with --verbose and report the output' };
}

/**
 * `apply --plan` compares a saved plan with what its first round finds, and the first round
 * leaves the VPN join and restriction to the second (which plans them again under its lock):
 * the saved digest covers the same steps as the first round.
 */
async function firstRoundDigest(runner: ProbeRunner, steps: readonly Step[], project: string): Promise<string> {
  return (await planHost(runner, steps.filter((s) => !isLateVpnStep(s)), project)).observedDigest;
}

/** Connect to every selected host and probe it (one round trip each); a host that fails gets a problem, the others go on. */
export async function probeHosts(setup: EngineSetup, pool: SshPool | undefined, concurrency: number): Promise<HostPlan[]> {
  return (await probeHostsWith(setup, pool, concurrency)).map((p) => p.plan);
}

export interface HostProbe {
  readonly plan: HostPlan;
  /** The inventory facts, when asked for and the host answered. */
  readonly inventory?: InventoryFacts;
}

/** probeHosts, optionally reading each host's inventory in the same round trip. */
export async function probeHostsWith(setup: EngineSetup, pool: SshPool | undefined, concurrency: number, inventory?: (host: Host) => ProbeRequest['inventory']): Promise<HostProbe[]> {
  return mapLimited(setup.work, concurrency, async ({ host, steps }): Promise<HostProbe> => {
    if (host.address === undefined || !pool) return { plan: problemPlan(host.name, steps, problemOf(notProvisioned(host))) };
    try {
      const runner = await pool.runner(host.name);
      try {
        const { plan, report } = await planHostWithReport(readOnly(runner), steps, setup.layout.project, inventory?.(host));
        const planned = steps.some(isLateVpnStep) ? { ...plan, observedDigest: await firstRoundDigest(readOnly(runner), steps, setup.layout.project) } : plan;
        return { plan: planned, ...(report.inventory ? { inventory: report.inventory } : {}) };
      } catch (error) {
        if (error instanceof WizardError && error.code === 'aborted') throw error;
        return { plan: problemPlan(host.name, steps, problemOf(error), runner.target) };
      }
    } catch (error) {
      if (error instanceof WizardError && error.code === 'aborted') throw error;
      return { plan: problemPlan(host.name, steps, problemOf(error)) };
    }
  });
}
