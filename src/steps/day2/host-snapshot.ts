import { healthOf, type Health } from '../../plan/container-health.js';
import type { InventoryFacts } from '../../plan/inventory.js';
import { parseManifest, type ReleaseManifest } from '../../render/release-manifest.js';
import { parseHistory, type HistoryEntry } from './release-history.js';

/** A release folder found on the host. */
export interface HostRelease {
  readonly id: string;
  /** Folder mtime, seconds since the epoch (the order of last writes, for releases without history). */
  readonly mtime: number;
  /** Undefined for a folder without a readable release.json (deployed by an older version). */
  readonly manifest?: ReleaseManifest;
  readonly compose: { readonly infra?: string; readonly apps?: string };
}

/** A container of the project, as `docker ps -a` shows it. */
export interface HostContainer {
  readonly service: string;
  readonly id: string;
  readonly image: string;
  readonly state: string;
  readonly status: string;
  readonly inputs: string;
}

/** Everything day-2 commands need to know about a host, read in one round trip. */
export interface HostSnapshot {
  /** Id of the release `current` points to; undefined when nothing was deployed. */
  readonly current?: string;
  readonly releases: readonly HostRelease[];
  readonly history: readonly HistoryEntry[];
  readonly containers: readonly HostContainer[];
}

/**
 * What day-2 commands work on, from the probe's inventory (the one reader of host facts; asked
 * with `releases`): the release folders with their manifests and compose files, the switch
 * history and the project's containers.
 */
export function snapshotOf(facts: InventoryFacts): HostSnapshot {
  const current = /^releases\/([^/]+)$/.exec(facts.current ?? '')?.[1];
  const releases = (facts.releases ?? []).map((r): HostRelease => {
    const manifest = r.manifest === null ? undefined : parseManifest(r.manifest);
    return { id: r.id, mtime: r.mtime, ...(manifest ? { manifest } : {}), compose: r.compose };
  });
  const containers = facts.containers.map((c): HostContainer => ({ service: c.service, id: c.id ?? '', image: c.image, state: c.state, status: c.status, inputs: c.inputs ?? '' }));
  return { ...(current ? { current } : {}), releases, history: parseHistory(facts.history ?? ''), containers };
}

/** What the redeploy picker shows of a service's container: missing, stopped, or Docker's health (`running` without a check). */
export function containerHealth(container: HostContainer | undefined): 'missing' | 'stopped' | 'running' | Exclude<Health, 'none'> {
  if (!container) return 'missing';
  if (container.state !== 'running') return 'stopped';
  const health = healthOf(container.status);
  return health === 'none' ? 'running' : health;
}
