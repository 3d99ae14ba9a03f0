import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import type { SecretSource } from '../engine/secret-source.js';
import type { Vault } from '../vault/vault.js';
import { identityFor } from './vault-access.js';

/**
 * The engine's secrets (the sudo password of `ssh.sudo: password` hosts, later the services'
 * secrets) from the profile's vault. The vault is opened on the first request only, so a run that
 * needs no secret never asks for a passphrase.
 */
export function vaultSecretSource(global: GlobalOptions, io: Io, profileName: string): SecretSource {
  let vault: Promise<Vault> | undefined;
  return {
    get: async (key) => {
      vault ??= import('../vault/vault.js').then(({ openVault }) => openVault(global.dir, profileName, { identity: identityFor(global, io) }));
      return (await vault).get(key);
    },
  };
}
