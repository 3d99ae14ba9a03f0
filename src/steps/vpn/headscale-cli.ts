import { HUB_HEADSCALE } from '../../remote/generated-scripts.js';

/**
 * The Headscale CLI across versions (apis.md §4): what to run on the hub to make a pre-auth key,
 * and how to read what it prints. Pure: text in, argv out. The hub runs the CLI in the Headscale
 * container when there is one (the catalogue's compose service), else the `headscale` on the host.
 */

export interface HeadscaleVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface HeadscaleUser {
  readonly id: string;
  readonly name: string;
}

/** `headscale version` prints `v0.26.1` (and, on some builds, more lines). */
export function parseHeadscaleVersion(text: string): HeadscaleVersion | undefined {
  const m = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function versionAtLeast(v: HeadscaleVersion, minor: number): boolean {
  return v.major > 0 || v.minor >= minor;
}

/** The oldest version whose CLI this tool knows (0.23: gRPC CLI, `users list -o json`). */
export const OLDEST_SUPPORTED_MINOR = 23;

/**
 * `users list -o json`: up to 0.29 the protobuf shape (numeric `id`), from 0.30 the API shape
 * (string `id`). Either way a list of objects with `id` and `name`.
 */
export function parseHeadscaleUsers(text: string): HeadscaleUser[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'null') return [];
  const data: unknown = JSON.parse(trimmed);
  const list = Array.isArray(data) ? data : data !== null && typeof data === 'object' && Array.isArray((data as { users?: unknown }).users) ? (data as { users: unknown[] }).users : undefined;
  if (!list) throw new Error('not a list of users');
  return list.flatMap((u) => {
    if (u === null || typeof u !== 'object') return [];
    const { id, name } = u as { id?: unknown; name?: unknown };
    if ((typeof id !== 'number' && typeof id !== 'string') || typeof name !== 'string') return [];
    return [{ id: String(id), name }];
  });
}

/**
 * `preauthkeys create` for one node: single use (no --reusable), not ephemeral (a server keeps its
 * node), short-lived. Up to 0.25 `--user` takes the name; from 0.26 the numeric ID ("Pre auth key
 * API/CLI now uses ID over username"); 0.28 makes it optional but still accepts the ID. The human
 * output is the key alone in every version.
 */
export function preauthKeyArgs(version: HeadscaleVersion, user: HeadscaleUser, expiration: string): string[] {
  const who = versionAtLeast(version, 26) ? user.id : user.name;
  return ['preauthkeys', 'create', '--user', who, '--expiration', expiration];
}

/** A pre-auth key as Headscale prints it: 48 hex characters up to 0.27, `hskey-auth-…` from 0.28. */
export function isPreauthKey(text: string): boolean {
  return /^[0-9a-f]{48}$/.test(text) || /^hskey-auth-[A-Za-z0-9_-]+$/.test(text);
}

/** The Headscale CLI on the hub, in its container or on the host (src/remote/hub-headscale.sh). */
export { HUB_HEADSCALE };

/** The argv that runs the Headscale CLI on the hub (as root: docker and the unix socket need it). */
export function hubHeadscaleArgv(project: string, args: readonly string[]): string[] {
  return ['sh', '-c', HUB_HEADSCALE, 'homelab-wizard', `${project}-infra`, ...args];
}
