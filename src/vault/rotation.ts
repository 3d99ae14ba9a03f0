import { CATALOG } from '../catalog/catalog.js';
import { knownSecret } from './generate.js';
import { isReservedKey } from './keys.js';

/**
 * Which secrets may be rotated, and what a change of a secret means for deployed services.
 * Only values the tool generates are rotated: a value the operator supplied (an API key) comes
 * from elsewhere, and an `immutable` one (n8n's encryption key) would destroy data if it changed.
 */
export function rotationProblem(key: string): { code: 'secret-unknown' | 'secret-immutable' | 'secret-invalid'; message: string; hint: string } | undefined {
  const known = knownSecret(key);
  if (known === undefined) {
    return { code: 'secret-invalid', message: `${key} is not a secret homelab-wizard generates, so it cannot be rotated`, hint: `store a new value with \`homelab-wizard secrets set ${key}\`` };
  }
  if (known.spec.immutable === true) {
    return { code: 'secret-immutable', message: `${key} can never be rotated: ${known.spec.description}`, hint: 'keep it; back up the vault so it is never lost' };
  }
  if (known.spec.generate === undefined) {
    return { code: 'secret-invalid', message: `${key} is supplied by you (${known.spec.description}), not generated`, hint: `get a new value from its provider, then run \`homelab-wizard secrets set ${key}\`` };
  }
  return undefined;
}

/** The keys of a vault that `secrets rotate` without a key renews. */
export function rotatableKeys(vaultKeys: Iterable<string>): string[] {
  return [...vaultKeys].filter((key) => !isReservedKey(key) && rotationProblem(key) === undefined).sort();
}

export function isImmutable(key: string): boolean {
  return knownSecret(key)?.spec.immutable === true;
}

/**
 * Services to redeploy after `keys` changed: the service that declares each secret and the
 * services that depend on it (they read its password or key). With `enabled`, only services the
 * profile runs; without (the profile could not be read), every such service, to be safe.
 */
export function servicesToRedeploy(keys: Iterable<string>, enabled?: readonly string[]): string[] {
  const on = (id: string): boolean => enabled === undefined || enabled.includes(id);
  const out = new Set<string>();
  for (const key of keys) {
    const owner = knownSecret(key)?.service;
    if (owner === undefined) continue;
    if (on(owner)) out.add(owner);
    for (const entry of CATALOG) if (entry.dependsOn.includes(owner) && on(entry.id)) out.add(entry.id);
  }
  return [...out].sort();
}
