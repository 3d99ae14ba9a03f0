import { COMPOSE_FILES, MANIFEST_FILE, parseManifest, type ReleaseManifest } from '../../render/release-manifest.js';
import { INPUTS_LABEL } from '../../render/compose.js';
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
 * Args: project dir, infra compose project, apps compose project. Every blob is base64 on one line,
 * so the output parses line by line whatever the files hold. Only non-secret files are read:
 * release.json (digests), the compose files, history.jsonl and `docker ps`.
 */
export const SNAPSHOT_SCRIPT = `cd "$1" 2>/dev/null || { echo "absent"; exit 0; }
echo "current $(readlink current 2>/dev/null)"
for d in releases/*/; do
  [ -d "$d" ] || continue
  id=$(basename "$d")
  echo "release $id $(stat -c %Y "$d") $(base64 -w0 "$d/${MANIFEST_FILE}" 2>/dev/null)"
  for f in ${COMPOSE_FILES.infra} ${COMPOSE_FILES.apps}; do [ -f "$d/$f" ] && echo "compose $id $f $(base64 -w0 "$d/$f")"; done
done
[ -f history.jsonl ] && echo "history $(tail -n 500 history.jsonl | base64 -w0)"
for p in "$2" "$3"; do
  docker ps -a --filter "label=com.docker.compose.project=$p" --format 'ps {{.Label "com.docker.compose.service"}}|{{.ID}}|{{.Image}}|{{.State}}|{{.Status}}|{{.Label "${INPUTS_LABEL}"}}' 2>/dev/null
done
exit 0`;

const unbase64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');

export function parseSnapshot(stdout: string): HostSnapshot {
  let current: string | undefined;
  const releases = new Map<string, { id: string; mtime: number; manifest?: ReleaseManifest; compose: { infra?: string; apps?: string } }>();
  let history: HistoryEntry[] = [];
  const containers: HostContainer[] = [];
  for (const line of stdout.split('\n')) {
    const [kind, ...rest] = line.split(' ');
    if (kind === 'current') {
      const target = rest.join(' ').trim();
      const m = /^releases\/([^/]+)$/.exec(target);
      if (m) current = m[1];
    } else if (kind === 'release' && rest[0]) {
      const manifest = rest[2] ? parseManifest(unbase64(rest[2])) : undefined;
      releases.set(rest[0], { id: rest[0], mtime: Number(rest[1]) || 0, ...(manifest ? { manifest } : {}), compose: {} });
    } else if (kind === 'compose' && rest[0] && rest[1]) {
      const r = releases.get(rest[0]);
      if (!r) continue;
      if (rest[1] === COMPOSE_FILES.infra) r.compose.infra = unbase64(rest[2]);
      if (rest[1] === COMPOSE_FILES.apps) r.compose.apps = unbase64(rest[2]);
    } else if (kind === 'history') {
      history = parseHistory(unbase64(rest[0]));
    } else if (kind === 'ps') {
      const [service = '', id = '', image = '', state = '', status = '', inputs = ''] = rest.join(' ').split('|');
      if (service !== '') containers.push({ service, id, image, state, status, inputs });
    }
  }
  return { ...(current ? { current } : {}), releases: [...releases.values()], history, containers };
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
