import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import type { HostOutcome } from '../engine/host-session.js';
import type { Secret } from '../lib/secret.js';
import { hostServices } from '../profile/effective.js';
import type { Profile } from '../profile/schema.js';
import { REDEPLOY_KEY } from '../vault/keys.js';
import { parseRedeploy, withoutRedeploy } from '../vault/redeploy-record.js';
import type { EngineSetup } from '../session/engine-setup.js';

/**
 * Pure: the services of the vault's redeploy record that a deploy has now brought up with their
 * current secrets: compose services whose every host was deployed successfully by this run.
 * Services that are not compose services (a VPN client, say) stay recorded: deploy does not
 * redeploy them.
 */
export function redeployedBy(profile: Profile, pending: readonly string[], deployed: ReadonlySet<string>): string[] {
  return pending.filter((id) => {
    const hosts = profile.hosts.filter((h) => hostServices(profile, h).some((s) => s.id === id));
    const compose = hosts.every((h) => hostServices(profile, h).find((s) => s.id === id)?.entry.placement.kind === 'compose');
    return compose && hosts.every((h) => deployed.has(h.name));
  });
}

function sameEntries(a: ReadonlyMap<string, Secret>, b: ReadonlyMap<string, Secret>): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  keys.delete(REDEPLOY_KEY);
  for (const key of keys) if (a.get(key)?.reveal() !== b.get(key)?.reveal()) return false;
  return true;
}

/**
 * After an apply with the deploy phase: drop from the vault's redeploy record the services that
 * were redeployed. Only when the vault still holds exactly the values the deploy used: a secret
 * changed during the run keeps its services recorded. Returns the services cleared.
 */
export async function clearRedeployed(global: GlobalOptions, io: Io, setup: EngineSetup, outcomes: readonly HostOutcome[]): Promise<string[]> {
  const used = setup.deployedVault;
  // A sandbox replica reads its source's vault, whose record is about the source's own servers.
  if (used === undefined || !setup.phases.includes('deploy') || setup.vault.replicaOf !== undefined) return [];
  if (parseRedeploy(used.get(REDEPLOY_KEY)?.reveal()).length === 0) return [];
  const deployed = new Set(outcomes.filter((o) => o.result === 'ok' || o.result === 'no-changes').map((o) => o.host));
  const [{ updateVault }, { identityFor }] = await Promise.all([import('../vault/vault.js'), import('../session/vault-access.js')]);
  const outcome = await updateVault(
    global.dir,
    setup.profileName,
    (entries) => {
      if (!sameEntries(entries, used)) return [];
      const record = entries.get(REDEPLOY_KEY);
      const done = redeployedBy(setup.profile, parseRedeploy(record?.reveal()), deployed);
      if (done.length === 0 || record === undefined) return [];
      const left = withoutRedeploy(record.reveal(), done);
      if (left === undefined) entries.delete(REDEPLOY_KEY);
      else entries.set(REDEPLOY_KEY, record.map(() => left));
      return done;
    },
    { identity: identityFor(global, io), command: 'apply' },
  );
  return outcome.result;
}
