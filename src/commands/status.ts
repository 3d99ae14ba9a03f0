import type { CommandRunner } from '../contracts/command-runner.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { inventoryNeedsAttention, type HostInventory } from '../plan/inventory.js';
import type { HostPlan } from '../plan/plan.js';
import { guardFoundText } from '../plan/guard-facts.js';
import { PHASES } from '../steps/phases.js';
import { prepareEngine } from '../session/engine-setup.js';
import { engineOptions } from '../session/engine-options.js';
import { hostInventory, inventoryRequest, pinnedServices } from '../run/host-inventory.js';
import { makePlanWith } from './plan.js';

export interface HostStatus {
  readonly host: string;
  readonly target: string | null;
  readonly reachable: boolean;
  readonly problem: string | null;
  readonly lock: HostPlan['lock'] | null;
  readonly lastRun: HostPlan['lastRun'] | null;
  /** Guards an unfinished run left armed (the next apply resolves them), as text. */
  readonly guards: readonly string[];
  /** Ids of steps that are not converged. */
  readonly drift: readonly string[];
  /** Why each of them is not converged (per step id): e.g. which service runs another definition. */
  readonly driftReasons: Readonly<Record<string, readonly string[]>>;
  /** What runs there against the profile's pins, and files edited by hand; null when not read (unreachable). */
  readonly inventory: HostInventory | null;
  /** Whether this host makes `status` exit 2: step drift, file drift, or a service missing, stopped, unhealthy or off its pinned version. */
  readonly attention: boolean;
}

export function hostStatus(plan: HostPlan, inventory?: HostInventory): HostStatus {
  const drifted = plan.problem ? [] : plan.steps.filter((s) => s.action !== '=');
  const drift = drifted.map((s) => `${s.action} ${s.id}`);
  return {
    host: plan.host,
    target: plan.target ?? null,
    reachable: plan.problem === undefined,
    problem: plan.problem ? `${plan.problem.message} (hint: ${plan.problem.hint})` : null,
    lock: plan.lock ?? null,
    lastRun: plan.lastRun ?? null,
    guards: (plan.guards ?? []).map(guardFoundText),
    drift,
    driftReasons: Object.fromEntries(drifted.map((s) => [s.id, s.reasons])),
    inventory: inventory ?? null,
    attention: plan.problem === undefined && (drift.length > 0 || (plan.guards?.length ?? 0) > 0 || (inventory !== undefined && inventoryNeedsAttention(inventory))),
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

function renderInventory(inv: HostInventory): string[] {
  const lines: string[] = [];
  lines.push(`  release:   ${inv.current ?? 'none'}${inv.release !== null && inv.release !== inv.current ? ` (state.json: ${inv.release})` : ''}`);
  if (inv.services.length > 0) {
    const w = Math.max(...inv.services.map((s) => s.service.length)) + 2;
    const tw = Math.max(...inv.services.map((s) => Math.max(s.pinnedTag.length, (s.runningTag ?? '-').length))) + 2;
    lines.push(`  services:  ${pad('SERVICE', w)}${pad('RUNNING', tw)}${pad('PINNED', tw)}HEALTH`);
    for (const s of inv.services) {
      const health = s.state === 'missing' ? 'missing' : s.state !== 'running' ? s.state : s.health === 'none' ? 'running (no health check)' : s.ownTestPassed ? 'starting (its own health test passes; Docker has not checked yet)' : s.health ?? '';
      lines.push(`             ${pad(s.service, w)}${pad(s.runningTag ?? '-', tw)}${pad(s.pinnedTag, tw)}${health}${s.problem ? `  ← ${s.problem}` : ''}`);
    }
  }
  if (inv.unexpected.length > 0) lines.push(`  unexpected containers (not in the profile): ${inv.unexpected.join(', ')}`);
  lines.push(`  files:     ${inv.drifted.length === 0 ? 'as deployed' : `${inv.drifted.length} changed by hand under current/:`}`);
  for (const f of inv.drifted) lines.push(`             ${f.change.padEnd(9)} ${f.path}`);
  for (const note of inv.notes) lines.push(`  note:      ${note}`);
  return lines;
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
  for (const guard of s.guards) lines.push(`  guard:     ${guard}; the next apply resolves it`);
  if (s.inventory) lines.push(...renderInventory(s.inventory));
  lines.push(`  drift:     ${s.drift.length === 0 ? 'none' : `${s.drift.length} step${s.drift.length === 1 ? '' : 's'} differ: ${s.drift.join(', ')}`}`);
  for (const [id, reasons] of Object.entries(s.driftReasons)) for (const why of reasons) lines.push(`             ${id}: ${why}`);
  return lines.join('\n');
}

/**
 * `status`: read-only, one round trip per host (the plan's probe plus the inventory). Exit 0 in
 * sync; 2 on step drift, files edited by hand, or a service missing, stopped, unhealthy or off its
 * pinned version; 1 when a host could not be reached.
 */
export const statusCommand: CommandRunner = async (global, io, _args, raw) => {
  const options = engineOptions(raw);
  const setup = await prepareEngine(global, { ...(options.host ? { host: options.host } : {}), only: options.only ?? PHASES.join(','), io });
  const withInventory = setup.phases.includes('deploy');
  const { plan, inventories } = await makePlanWith(setup, global, io, options, withInventory ? (host) => (pinnedServices(setup.profile, host).length > 0 ? inventoryRequest(setup.profile) : undefined) : undefined);
  const statuses = plan.hosts.map((hostPlan) => {
    const host = setup.work.find((w) => w.host.name === hostPlan.host)?.host;
    const facts = inventories.get(hostPlan.host);
    return hostStatus(hostPlan, host && facts ? hostInventory(setup.profile, host, facts) : undefined);
  });
  if (global.json) io.stdout(`${JSON.stringify(statuses, null, 2)}\n`);
  else io.stdout(`${statuses.map(renderStatus).join('\n\n')}\n`);
  if (statuses.some((s) => !s.reachable)) return EXIT_ERROR;
  return statuses.some((s) => s.attention) ? EXIT_CHANGES : EXIT_OK;
};
