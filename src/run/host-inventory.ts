import type { ProbeRequest } from '../engine/runner.js';
import { summarizeInventory, type HostInventory, type InventoryFacts, type PinnedService } from '../plan/inventory.js';
import { hostServices } from '../profile/effective.js';
import type { Host, Profile } from '../profile/schema.js';

/**
 * What runs on a host, read in one round trip and judged against the profile: each compose
 * service's running image against its pinned one, its health, and the deployed files against the
 * checksums the last deploy recorded, for `status` (from the facts of its one probe).
 */
export function pinnedServices(profile: Profile, host: Host): PinnedService[] {
  const name = profile.project.name;
  return hostServices(profile, host)
    .filter((s) => s.entry.placement.kind === 'compose' && s.image !== undefined)
    .map((s) => ({
      id: s.id,
      image: s.image as string,
      composeProject: s.entry.placement.kind === 'compose' && s.entry.placement.file === 'infra' ? `${name}-infra` : name,
      hasHealthCheck: s.entry.health !== undefined,
    }));
}

/** The part of a probe request that asks for the inventory. */
export function inventoryRequest(profile: Profile): NonNullable<ProbeRequest['inventory']> {
  return { composeProjects: [`${profile.project.name}-infra`, profile.project.name] };
}

export function hostInventory(profile: Profile, host: Host, facts: InventoryFacts): HostInventory {
  return summarizeInventory(facts, pinnedServices(profile, host));
}
