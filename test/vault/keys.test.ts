import { describe, expect, it } from 'vitest';
import { FINGERPRINT_SALT_KEY, keyProblem, REDEPLOY_KEY } from '../../src/vault/keys.js';

describe('vault keys', () => {
  it('accepts dotted keys', () => {
    for (const key of ['api.token', 'n8n.encryptionKey', 'hosts.vps.sudoPassword', 'a.B_c-1', 'homelab.x']) expect(keyProblem(key), key).toBeUndefined();
  });

  it('refuses keys without a dot, with empty parts, upper-case first letters or odd characters', () => {
    for (const key of ['token', '', 'Api.token', '1a.b', 'a..b', 'a.', '.a', 'a.b c', 'a.b/c', 'a.b$', 'é.x', 'x'.repeat(130) + '.y']) {
      expect(keyProblem(key), key).toBeDefined();
    }
  });

  it('keeps the homelab-wizard. records for the tool, and only the known ones', () => {
    expect(keyProblem(REDEPLOY_KEY)).toMatch(/reserved/);
    expect(keyProblem(FINGERPRINT_SALT_KEY)).toMatch(/reserved/);
    expect(keyProblem(REDEPLOY_KEY, { tool: true })).toBeUndefined();
    expect(keyProblem(FINGERPRINT_SALT_KEY, { tool: true })).toBeUndefined();
    expect(keyProblem('homelab-wizard.other', { tool: true })).toMatch(/reserved/);
  });
});
