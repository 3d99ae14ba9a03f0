import { findService } from '../../catalog/catalog.js';
import { LIB_HEALTH } from '../../remote/generated-scripts.js';

/**
 * The health gate and the one rule for "healthy now" (`hlw_healthy_now`), as POSIX sh functions:
 * src/remote/lib/health.sh says what each does. Prepended to every script that gates or judges
 * health (a script in src/remote says `# uses: health`), so they all agree on "healthy".
 */
export const HEALTH_GATE = LIB_HEALTH;

/** Seconds the gate gives a service whose catalogue entry names no bound of its own. */
export const DEFAULT_HEALTH_TIMEOUT_SECONDS = 60;

/** Seconds the gate waits for one service to become healthy (the catalogue's `healthTimeoutSeconds`). */
export function healthBound(service: string): number {
  return findService(service)?.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_SECONDS;
}

/** The gate's bound of each service, as `hlw_gate` and `hlw_bounded` read it: `svc=SECONDS ...`. */
export function healthBounds(services: Iterable<string>): string {
  return [...services].map((id) => `${id}=${healthBound(id)}`).join(' ');
}
