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

export type Health = 'healthy' | 'unhealthy' | 'starting' | 'running' | 'stopped' | 'missing';

/** Health of a service's container from its `docker ps` status. */
export function healthOf(container: HostContainer | undefined): Health {
  if (!container) return 'missing';
  if (container.state !== 'running') return 'stopped';
  if (container.status.includes('(healthy)')) return 'healthy';
  if (container.status.includes('(unhealthy)')) return 'unhealthy';
  if (container.status.includes('health: starting')) return 'starting';
  return 'running';
}

/** The tag of an image reference (`repo:tag`, registry ports and digests understood). */
export function imageTag(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : 'latest';
}
