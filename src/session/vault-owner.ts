import { readFile } from 'node:fs/promises';
import { WizardError } from '../errors.js';
import { parseYaml, type LoadedProfile } from '../profile/load.js';
import { profilePaths } from '../profile/paths.js';
import { replicaSource } from '../sandbox/sandbox-profile.js';

/**
 * Whose vault a profile uses. A sandbox replica (`sandbox up --profile X` writes X-sandbox) reads
 * X's vault directly: the secrets stay in one file, encrypted to X's recipients, and there is no
 * copy to make, protect or keep in step. The replica never writes that vault: changing X's secrets
 * (or the record of what X must redeploy) from a rehearsal would change the real thing.
 */
export interface VaultOwner {
  /** The profile name whose `vault/<name>.age` and `.recipients` are used. */
  readonly vaultName: string;
  /** Set for a sandbox replica: the profile it was made from. */
  readonly replicaOf?: string;
}

export function vaultOwnerOf(loaded: Pick<LoadedProfile, 'name' | 'raw'>): VaultOwner {
  const source = replicaSource(loaded.raw);
  return source !== undefined && source !== loaded.name ? { vaultName: source, replicaOf: source } : { vaultName: loaded.name };
}

/**
 * The same, for commands that only need the vault (the `secrets` commands): read from the plain
 * profile file, the form `sandbox up` writes. A profile that cannot be read or parsed here is not
 * a replica; the command itself reports what is wrong with it.
 */
export async function vaultOwnerByName(dir: string, name: string): Promise<VaultOwner> {
  const file = profilePaths(dir, name).plain;
  try {
    return vaultOwnerOf({ name, raw: parseYaml(await readFile(file, 'utf8'), file) });
  } catch {
    return { vaultName: name };
  }
}

/** A command that would write the vault, refused for a replica (nothing changed). */
export function refuseReplicaWrite(profileName: string, owner: VaultOwner, command: string): void {
  if (owner.replicaOf === undefined) return;
  throw new WizardError(
    'vault-replica',
    `profile '${profileName}' is a sandbox replica of '${owner.replicaOf}' and reads its vault (vault/${owner.replicaOf}.age); \`${command}\` would change the secrets of '${owner.replicaOf}' itself, so nothing was changed`,
    `to change them on purpose, run it with --profile ${owner.replicaOf}; the replica uses the new values on its next apply`,
  );
}
