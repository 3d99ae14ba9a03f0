import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import { resolveProfileName } from '../profile/load.js';
import { profilePaths } from '../profile/paths.js';
import { enabledServices } from '../vault/generate.js';
import { identityProvider, type IdentityEnvironment, type IdentityProvider } from '../vault/identity.js';
import { profileDecryptor } from '../vault/profile-file.js';
import { loadProfile } from './load-profile.js';
import { refuseReplicaWrite, vaultOwnerByName } from './vault-owner.js';

/** What every `secrets` command needs: the project, the profile's name, a way to unlock the identity. */
export interface VaultAccess {
  readonly dir: string;
  readonly profileName: string;
  /** Whose vault files are used: the profile's own, or a sandbox replica's source (vault-owner.ts). */
  readonly vaultName: string;
  readonly replicaOf?: string;
  readonly identity: IdentityProvider;
  readonly notice: (line: string) => void;
}

export function identityEnvironment(global: GlobalOptions, io: Io): IdentityEnvironment {
  return {
    env: io.env,
    notice: (line) => io.stderr(`${line}\n`),
    ...(global.nonInteractive ? {} : { askPassphrase: (file: string, attempt: number) => io.prompts.secret(attempt === 1 ? `passphrase of ${file}` : `passphrase of ${file} (attempt ${attempt})`) }),
  };
}

export function identityFor(global: GlobalOptions, io: Io): IdentityProvider {
  return identityProvider(identityEnvironment(global, io));
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/**
 * Resolve the profile (it must exist, plain or encrypted) and prepare the identity. `writes`: the
 * command changes the vault, which a sandbox replica may not do (it would change its source's).
 */
export async function vaultAccess(global: GlobalOptions, io: Io, options: { readonly writes?: string } = {}): Promise<VaultAccess> {
  const profileName = await resolveProfileName(global.dir, global.profile);
  const paths = profilePaths(global.dir, profileName);
  if (!(await exists(paths.plain)) && !(await exists(paths.encrypted))) {
    throw new WizardError('profile-not-found', `no profile '${profileName}' in ${path.join(global.dir, 'profiles')}`, 'create it first (`homelab-wizard init`), or pass the right --profile NAME');
  }
  const owner = await vaultOwnerByName(global.dir, profileName);
  if (options.writes !== undefined) refuseReplicaWrite(profileName, owner, options.writes);
  return { dir: global.dir, profileName, ...owner, identity: identityFor(global, io), notice: (line) => io.stderr(`${line}\n`) };
}

/** The services the profile runs, or undefined when it cannot be read or is not valid. */
export async function enabledServicesOf(global: GlobalOptions, io: Io, access: VaultAccess): Promise<string[] | undefined> {
  try {
    const { profile } = await loadProfile({ ...global, profile: access.profileName }, { io, decrypt: profileDecryptor(access.identity) });
    return enabledServices(profile);
  } catch {
    return undefined;
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
