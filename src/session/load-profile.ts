import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { readProfile, resolveProfileName, validateLoaded, type LoadedProfile, type ProfileDecryptor } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';

export interface ProfileContext {
  readonly loaded: LoadedProfile;
  readonly profile: Profile;
}

export interface LoadProfileOptions {
  /** Where the identity comes from (environment, prompts) when the profile is encrypted. */
  readonly io: Pick<Io, 'env' | 'stderr' | 'prompts'>;
  /** Decrypts an encrypted profile; by default the vault's decryptor with the operator's identity. */
  readonly decrypt?: ProfileDecryptor;
}

/**
 * The vault's code (age-encryption, the identity) loads only when the profile is encrypted, so a
 * plain profile keeps `profile check` as fast as before.
 */
function lazyDecryptor(global: GlobalOptions, options: LoadProfileOptions): ProfileDecryptor {
  return async (armored, file) => {
    const [{ profileDecryptor }, { identityProvider }] = await Promise.all([import('../vault/profile-file.js'), import('../vault/identity.js')]);
    const { io } = options;
    const identity = identityProvider({
      env: io.env,
      notice: (line) => io.stderr(`${line}\n`),
      ...(global.nonInteractive ? {} : { askPassphrase: (f: string) => io.prompts.secret(`passphrase of ${f}`) }),
    });
    return profileDecryptor(identity)(armored, file);
  };
}

/** Find, read (decrypting when needed) and validate the profile a command works on. */
export async function loadProfile(global: GlobalOptions, options: LoadProfileOptions): Promise<ProfileContext> {
  const name = await resolveProfileName(global.dir, global.profile);
  const loaded = await readProfile(global.dir, name, options.decrypt ?? lazyDecryptor(global, options));
  return { loaded, profile: validateLoaded(loaded) };
}
