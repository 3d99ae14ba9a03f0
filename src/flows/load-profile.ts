import type { GlobalOptions } from '../cli/global-options.js';
import type { Io } from '../cli/io.js';
import { readProfile, resolveProfileName, validateLoaded, type LoadedProfile, type ProfileDecryptor } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';

export interface ProfileContext {
  readonly loaded: LoadedProfile;
  readonly profile: Profile;
}

export interface LoadProfileOptions {
  /** Where the identity comes from (environment, prompts) when the profile is encrypted. */
  readonly io?: Pick<Io, 'env' | 'stderr' | 'interactiveTerminal'>;
  /** Decrypts an encrypted profile; by default the vault's decryptor with the operator's identity. */
  readonly decrypt?: ProfileDecryptor;
}

/**
 * The vault's code (age-encryption, the identity) loads only when the profile is encrypted, so a
 * plain profile keeps `profile check` as fast as before.
 */
function lazyDecryptor(global: GlobalOptions, options: LoadProfileOptions): ProfileDecryptor {
  return async (armored, file) => {
    const [{ profileDecryptor }, { identityProvider }, { askHidden }] = await Promise.all([
      import('../vault/profile-file.js'),
      import('../vault/identity.js'),
      import('./vault-access.js'),
    ]);
    const env = options.io?.env ?? process.env;
    const stderr = options.io?.stderr ?? ((text: string) => void process.stderr.write(text));
    const identity = identityProvider({
      env,
      notice: (line) => stderr(`${line}\n`),
      ...(global.nonInteractive ? {} : { askPassphrase: (f: string) => askHidden(`passphrase of ${f}`) }),
    });
    return profileDecryptor(identity)(armored, file);
  };
}

/** Find, read (decrypting when needed) and validate the profile a command works on. */
export async function loadProfile(global: GlobalOptions, options: LoadProfileOptions = {}): Promise<ProfileContext> {
  const name = await resolveProfileName(global.dir, global.profile);
  const loaded = await readProfile(global.dir, name, options.decrypt ?? lazyDecryptor(global, options));
  return { loaded, profile: validateLoaded(loaded) };
}
