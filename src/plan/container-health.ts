/**
 * The one reader of Docker's words about a container in TypeScript: its health from the status
 * text `docker ps` prints, and the tag of its image reference. `status` (the probe's inventory),
 * smoke and the day-2 commands judge containers with these; the shell side's one rule for
 * "healthy now" is `hlw_healthy_now` in src/remote/lib/health.sh.
 */

/** Docker's health of a container: `none` when it has no health check. */
export type Health = 'healthy' | 'unhealthy' | 'starting' | 'none';

/** The health in a `docker ps` Status text, e.g. `Up 3 minutes (healthy)`, `Up 2 seconds (health: starting)`. */
export function healthOf(status: string): Health {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return 'none';
}

/**
 * Healthy now, as the deploy's gate judges it: Docker says healthy, or Docker has not run its
 * first check yet (`starting`) and the container's own health test passed just now (`ownTest`,
 * which the remote scripts report from `hlw_healthy_now`).
 */
export function healthyNow(health: Health, ownTest: 'pass' | 'fail' | undefined): boolean {
  return health === 'healthy' || (health === 'starting' && ownTest === 'pass');
}

/** Hex digits of a digest shown where an image has no tag (as Docker's short ids). */
const SHORT_DIGEST = 12;

/**
 * The tag of an image reference: `registry:5000/x/y:1.2` → `1.2`; `latest` when it has neither
 * tag nor digest. A digest-pinned reference keeps its tag (`redis:7.4@sha256:abcd…` → `7.4`); one
 * pinned by digest only shows the digest's algorithm and its first 12 hex digits
 * (`redis@sha256:0123456789abcdef…` → `sha256:0123456789ab`), never a piece of the digest taken
 * for a tag.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1);
  if (at === -1) return 'latest';
  const digest = image.slice(at + 1);
  const sep = digest.indexOf(':');
  return sep === -1 ? digest.slice(0, SHORT_DIGEST) : `${digest.slice(0, sep)}:${digest.slice(sep + 1, sep + 1 + SHORT_DIGEST)}`;
}
