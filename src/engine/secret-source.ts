import type { Secret } from '../lib/secret.js';

/**
 * Where the engine gets secrets it needs to reach a host (the sudo password, key
 * `hosts.<name>.sudoPassword`). The vault implements it; the engine only sees this interface.
 */
export interface SecretSource {
  get(key: string): Promise<Secret | undefined>;
}
