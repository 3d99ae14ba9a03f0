/**
 * Which services must be redeployed because their secrets changed. Kept inside the vault (under
 * REDEPLOY_KEY) so a rotation and its record are one atomic write: there is no moment where the
 * new value is stored but the need to redeploy is forgotten. The value is the sorted service ids,
 * space-separated; deploy removes a service once it has been redeployed.
 */
export function parseRedeploy(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(/\s+/).filter((s) => /^[a-z][a-z0-9-]*$/.test(s)))].sort();
}

/** The record with `services` added, or undefined when it is empty. */
export function withRedeploy(value: string | undefined, services: Iterable<string>): string | undefined {
  const all = [...new Set([...parseRedeploy(value), ...services])].sort();
  return all.length === 0 ? undefined : all.join(' ');
}

/** The record without `services` (after they were redeployed), or undefined when nothing is left. */
export function withoutRedeploy(value: string | undefined, services: Iterable<string>): string | undefined {
  const done = new Set(services);
  const left = parseRedeploy(value).filter((s) => !done.has(s));
  return left.length === 0 ? undefined : left.join(' ');
}
