import type { SecretSource } from '../engine/secret-source.js';

/**
 * The SecretSource until the vault is wired in: it holds nothing, so a host with
 * `ssh.sudo: password` and a non-root login stops with a message naming the missing key.
 */
export const noVaultYet: SecretSource = {
  get: async () => undefined,
};
