import { healthOf, healthyNow, imageTag, type Health } from './container-health.js';
import { parseDeployState } from './deploy-state.js';

// Re-exported: the inventory's readers know them from here too.
export { healthOf, imageTag, type Health };

/** What the probe reads of the containers and deployed files of a host, as reported (raw facts). */
export interface ContainerFacts {
  /** Compose project label. */
  readonly project: string;
  /** Compose service label. */
  readonly service: string;
  readonly image: string;
  /** `docker ps` State: running, exited, restarting, created, paused, dead. */
  readonly state: string;
  /** `docker ps` Status, e.g. `Up 3 minutes (healthy)`. */
  readonly status: string;
  /** While Docker says `health: starting`: whether the container's own health test passed just now (the deploy gate's verdict). */
  readonly ownTest?: 'pass' | 'fail';
  /** Docker's container id (short). */
  readonly id?: string;
  /** The inputs label: the digest of what the container was created from (render/compose.ts). */
  readonly inputs?: string;
}

/** A release folder of the host, read when the request asks for releases (day-2 commands). */
export interface ReleaseFacts {
  readonly id: string;
  /** Folder mtime, seconds since the epoch (the order of last writes, for releases without history). */
  readonly mtime: number;
  /** Text of its release.json, or null when it has none (deployed by an older version). */
  readonly manifest: string | null;
  readonly compose: { readonly infra?: string; readonly apps?: string };
}

export interface InventoryFacts {
  /** false when the host has no working Docker (then containers is empty). */
  readonly docker: boolean;
  readonly containers: readonly ContainerFacts[];
  /** Text of state.json, or null when there is none. */
  readonly stateJson: string | null;
  /** Target of the `current` symlink (`releases/<id>`), or null. */
  readonly current: string | null;
  /** sha256 of every file under current/, path relative to the release folder; null without current. */
  readonly files: readonly { readonly path: string; readonly sha256: string }[] | null;
  /** Every release folder, when asked for. */
  readonly releases?: readonly ReleaseFacts[];
  /** The last lines of history.jsonl (who switched `current` to what, when), when releases were asked for. */
  readonly history?: string;
  /** The host's clock, seconds since the epoch, when releases were asked for (a restart is judged by it). */
  readonly clock?: number;
}

/** What the profile says a host should run: one compose service. */
export interface PinnedService {
  readonly id: string;
  /** Full image reference, registry rewrite applied. */
  readonly image: string;
  readonly composeProject: string;
  /** The service declares a health check: it must report healthy. */
  readonly hasHealthCheck: boolean;
}

export interface ServiceStatus {
  readonly service: string;
  readonly pinnedImage: string;
  readonly pinnedTag: string;
  /** null when no container exists. */
  readonly runningImage: string | null;
  readonly runningTag: string | null;
  /** running, exited, ... or `missing`. */
  readonly state: string;
  readonly health: Health | null;
  /** `starting`, and the container's own health test passed (healthy as the deploy's gate judges it). */
  readonly ownTestPassed?: true;
  /** What is wrong, in words; null when it runs the pinned image and is healthy. */
  readonly problem: string | null;
}

export interface FileDrift {
  /** Relative to the release folder. */
  readonly path: string;
  readonly change: 'modified' | 'missing' | 'added';
}

/** What runs on a host compared with what the profile pins and what the last deploy recorded. */
export interface HostInventory {
  readonly docker: boolean;
  /** The release state.json records, or null (never deployed, or state.json unreadable). */
  readonly release: string | null;
  /** The release `current` points to. */
  readonly current: string | null;
  readonly services: readonly ServiceStatus[];
  /** Containers of the project's compose projects that the profile does not have. */
  readonly unexpected: readonly string[];
  /** Files under current/ that differ from the checksums state.json recorded. */
  readonly drifted: readonly FileDrift[];
  /** Remarks that explain the rest: no state.json, current and state disagree, ... */
  readonly notes: readonly string[];
}

function serviceStatus(pinned: PinnedService, found: ContainerFacts | undefined): ServiceStatus {
  const base = { service: pinned.id, pinnedImage: pinned.image, pinnedTag: imageTag(pinned.image) };
  if (found === undefined) return { ...base, runningImage: null, runningTag: null, state: 'missing', health: null, problem: 'no container: not deployed, or removed by hand' };
  const health = healthOf(found.status);
  const problems: string[] = [];
  if (found.state !== 'running') problems.push(`${found.state} (${found.status})`);
  else if (health === 'unhealthy') problems.push('unhealthy');
  // Docker has not run its first check yet; the container's own test passing is the verdict the deploy's gate gave.
  else if (health === 'starting' && !healthyNow(health, found.ownTest)) problems.push('health check still starting');
  else if (pinned.hasHealthCheck && health === 'none') problems.push('no health status although the service has a health check');
  if (found.image !== pinned.image) problems.push(`runs ${found.image}, the profile pins ${pinned.image}`);
  const own = health === 'starting' && healthyNow(health, found.ownTest) ? { ownTestPassed: true as const } : {};
  return { ...base, runningImage: found.image, runningTag: imageTag(found.image), state: found.state, health, ...own, problem: problems.length > 0 ? problems.join('; ') : null };
}

/** Compare the files under current/ with the checksums state.json recorded for that release. */
function fileDrift(recorded: Readonly<Record<string, string>>, files: InventoryFacts['files']): FileDrift[] {
  const seen = new Map((files ?? []).map((f) => [f.path, f.sha256]));
  const out: FileDrift[] = [];
  for (const [path, sha] of Object.entries(recorded)) {
    const now = seen.get(path);
    if (now === undefined) out.push({ path, change: 'missing' });
    else if (now !== sha) out.push({ path, change: 'modified' });
  }
  for (const path of seen.keys()) if (!(path in recorded)) out.push({ path, change: 'added' });
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Pure: the facts a probe read, judged against the profile's pins. */
export function summarizeInventory(facts: InventoryFacts, pinned: readonly PinnedService[]): HostInventory {
  const notes: string[] = [];
  const state = facts.stateJson === null ? undefined : parseDeployState(facts.stateJson);
  if (facts.stateJson === null) notes.push('no state.json: nothing was deployed here yet');
  else if (state === undefined) notes.push('state.json is not readable as homelab-wizard state (edited by hand?)');
  const current = facts.current === null ? null : facts.current.replace(/^releases\//, '');
  if (state && current !== null && state.release !== current) notes.push(`state.json records release ${state.release}, but current points to ${current} (a deploy was interrupted, or current was changed by hand)`);
  if (state && current === null) notes.push('current is missing: the release folder in use is unknown');
  if (!facts.docker) notes.push('Docker does not answer on this host');

  const byKey = new Map(facts.containers.map((c) => [`${c.project}/${c.service}`, c]));
  const services = pinned.map((p) => serviceStatus(p, byKey.get(`${p.composeProject}/${p.id}`)));
  const wanted = new Set(pinned.map((p) => `${p.composeProject}/${p.id}`));
  const unexpected = facts.containers.filter((c) => !wanted.has(`${c.project}/${c.service}`)).map((c) => c.service).sort();
  const drifted = state && current === state.release && Object.keys(state.files).length > 0 ? fileDrift(state.files, facts.files) : [];
  if (state && Object.keys(state.files).length === 0) notes.push('state.json has no file checksums (written by an older version): file drift is known after the next deploy');
  return { docker: facts.docker, release: state?.release ?? null, current, services, unexpected, drifted, notes };
}

/** Whether `status` must exit 2 for this host. */
export function inventoryNeedsAttention(inv: HostInventory): boolean {
  return inv.services.some((s) => s.problem !== null) || inv.unexpected.length > 0 || inv.drifted.length > 0 || (inv.release !== null && inv.current !== inv.release);
}
