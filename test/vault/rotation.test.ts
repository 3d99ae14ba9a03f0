import { describe, expect, it } from 'vitest';
import { parseRedeploy, withoutRedeploy, withRedeploy } from '../../src/vault/redeploy-record.js';
import { rotatableKeys, rotationProblem, servicesToRedeploy } from '../../src/vault/rotation.js';

describe('rotation rules', () => {
  it('rotates generated secrets only', () => {
    expect(rotationProblem('n8n.dbPassword')).toBeUndefined();
    expect(rotationProblem('n8n.encryptionKey')).toMatchObject({ code: 'secret-immutable' });
    expect(rotationProblem('litellm.saltKey')).toMatchObject({ code: 'secret-immutable' });
    expect(rotationProblem('anthropic.apiKey')?.message).toMatch(/supplied by you/);
    expect(rotationProblem('api.token')?.message).toMatch(/not a secret homelab-wizard generates/);
    expect(rotatableKeys(['n8n.encryptionKey', 'n8n.dbPassword', 'api.token', 'redis.password', 'homelab-wizard.redeploy'])).toEqual(['n8n.dbPassword', 'redis.password']);
  });

  it('redeploys the owner and the services that depend on it, limited to the enabled ones', () => {
    expect(servicesToRedeploy(['n8n.dbPassword'])).toEqual(['n8n']);
    expect(servicesToRedeploy(['redis.password'], ['redis', 'n8n', 'postgresql'])).toEqual(['n8n', 'redis']);
    expect(servicesToRedeploy(['redis.password'])).toContain('litellm');
    expect(servicesToRedeploy(['api.token', 'hetzner.token'])).toEqual([]);
    expect(servicesToRedeploy(['anthropic.apiKey'], ['n8n'])).toEqual([]);
  });

  it('keeps the record as sorted, unique service ids', () => {
    expect(withRedeploy(undefined, ['n8n', 'caddy', 'n8n'])).toBe('caddy n8n');
    expect(withRedeploy('caddy n8n', ['litellm'])).toBe('caddy litellm n8n');
    expect(withRedeploy(undefined, [])).toBeUndefined();
    expect(withoutRedeploy('caddy n8n', ['n8n'])).toBe('caddy');
    expect(withoutRedeploy('caddy', ['caddy'])).toBeUndefined();
    expect(parseRedeploy(' n8n  Bad! redis ')).toEqual(['n8n', 'redis']);
  });
});
