import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { resolveGlobalOptions } from '../../src/cli/global-options.js';
import { vaultSecretSource } from '../../src/session/vault-secret-source.js';
import { Secret } from '../../src/lib/secret.js';
import { createVault } from '../../src/vault/vault.js';
import { captureIo } from '../helpers/io.js';

describe('the engine reads its secrets from the vault', () => {
  it('opens the vault on the first request and answers by key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-vss-'));
    const identity = await generateIdentity();
    await createVault(dir, 'lab', [['hosts.box.sudoPassword', Secret.of('s3cr3t')]], [await identityToRecipient(identity)]);
    const io = captureIo({ env: { HOMELAB_WIZARD_IDENTITY: identity } });
    const source = vaultSecretSource(resolveGlobalOptions({ dir }, io), io, 'lab');
    expect((await source.get('hosts.box.sudoPassword'))?.reveal()).toBe('s3cr3t');
    expect(await source.get('hosts.other.sudoPassword')).toBeUndefined();
  });

  it('opens nothing when created; a missing vault is an error only once a secret is asked for', async () => {
    const io = captureIo({ env: { HOMELAB_WIZARD_IDENTITY: '/nonexistent/identity.txt' } });
    const source = vaultSecretSource(resolveGlobalOptions({ dir: '/nonexistent' }, io), io, 'lab');
    await expect(source.get('x.y')).rejects.toThrow();
  });
});
