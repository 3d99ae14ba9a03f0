import type { GlobalOptions } from '../cli/global-options.js';
import { readProfile, resolveProfileName, validateLoaded, type LoadedProfile, type ProfileDecryptor } from '../profile/load.js';
import type { Profile } from '../profile/schema.js';

export interface ProfileContext {
  readonly loaded: LoadedProfile;
  readonly profile: Profile;
}

/** Find, read (decrypting when needed) and validate the profile a command works on. */
export async function loadProfile(global: GlobalOptions, decrypt?: ProfileDecryptor): Promise<ProfileContext> {
  const name = await resolveProfileName(global.dir, global.profile);
  const loaded = await readProfile(global.dir, name, decrypt);
  return { loaded, profile: validateLoaded(loaded) };
}
