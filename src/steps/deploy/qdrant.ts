import type { Command } from '../../plan/command.js';
import type { Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { QDRANT_HTTP_PORT } from '../../render/qdrant-config.js';
import { ON_CONTAINER, QDRANT_COLLECTIONS } from '../../remote/generated-scripts.js';
import { shScript } from '../../shell/script.js';

/** `NAME:DIMENSIONS:DISTANCE`, one a collection, as src/remote/qdrant-collections.sh reads them. */
export function qdrantCollectionSpecs(profile: Profile): string[] {
  return profile.qdrant.collections.map((c) => `${c.name}:${c.dimensions}:${c.distance}`);
}

/**
 * src/remote/qdrant-collections.sh in the Qdrant container, as argv for the container's own `sh`:
 * the API key is the container's QDRANT__SERVICE__API_KEY, so it is in no argv and on no stdin.
 */
export function qdrantCollectionsArgv(profile: Profile, mode: 'check' | 'apply'): string[] {
  return shScript(QDRANT_COLLECTIONS, 'qdrant-collections', [String(QDRANT_HTTP_PORT), mode, ...qdrantCollectionSpecs(profile)]);
}

/**
 * The collections of `qdrant.collections`, created through Qdrant's API when missing (vpai §4.4
 * step 6), after the infrastructure stack is up and health-gated. The container is found by its
 * compose labels, not through a release's compose file, so `plan` can check before a new release
 * folder exists. A collection with other dimensions fails the step, naming it: never deleted.
 */
export function qdrantCollectionSteps(profile: Profile, host: Host, runsQdrant: boolean): Step[] {
  if (!runsQdrant || profile.qdrant.collections.length === 0) return [];
  const project = profile.project.name;
  const inContainer = (mode: 'check' | 'apply'): Command => ({
    argv: shScript(ON_CONTAINER, 'homelab-wizard', [`${project}-infra`, project, 'qdrant', 'exec', '{}', ...qdrantCollectionsArgv(profile, mode)]),
  });
  const list = profile.qdrant.collections.map((c) => `${c.name} (${c.dimensions} dimensions, ${c.distance})`).join(', ');
  return [
    {
      id: 'deploy.qdrant.collections',
      describe: `Qdrant collections through its API: ${list}; created when missing, never changed or deleted`,
      host: host.name,
      check: inContainer('check'),
      checkReports: true,
      apply: [inContainer('apply')],
      risk: 'safe',
      effect: 'create',
    },
  ];
}
