import { describe, expect, it } from 'vitest';
import { wizardCatalog } from '../../src/commands/init-catalog.js';
import { SUGGESTED_MODELS } from '../../src/profile/ai-suggestions.js';
import { validateProfile } from '../../src/profile/validate.js';
import { currentFields, fieldValue, initialState, reduce, type WizardState } from '../../src/ui/wizard/wizard-state.js';
import { exampleProfile } from '../helpers/profiles.js';

/** The AI server of the vpai example, as the wizard's draft: its services chosen, no models yet. */
function aiDraft(): Record<string, any> {
  const raw = exampleProfile('vpai');
  raw['hosts'] = [raw['hosts'][0]];
  raw['vpn'] = { enabled: false };
  raw['access'] = { mode: 'public' };
  delete raw['litellm'];
  delete raw['qdrant'];
  raw['hosts'][0].services = raw['hosts'][0].services.filter((s: unknown) => s !== 'tailscale');
  return raw;
}

const atAi = (draft: Record<string, any>): WizardState => ({ ...initialState(draft), screen: 'ai', field: 0 });
const answer = (s: WizardState, value: unknown): WizardState => reduce(s, { type: 'answer', value }, wizardCatalog);

describe('the wizard\'s AI models screen', () => {
  it('asks the providers, the daily budget and the Qdrant collections where litellm and qdrant run', () => {
    const fields = currentFields(atAi(aiDraft()), wizardCatalog);
    expect(fields.map((f) => f.id)).toEqual(['providers', 'budget', 'collections']);
    expect(fields[0]?.options?.map((o) => o.value)).toEqual(['anthropic', 'openai', 'openrouter', 'gemini', 'byteplus']);
  });

  it('asks nothing on a host without litellm or qdrant (the screen is skipped)', () => {
    const draft = aiDraft();
    draft['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', 'n8n'];
    expect(currentFields(atAi(draft), wizardCatalog)).toEqual([]);
  });

  it('writes the suggested models of the chosen providers, the budget and the collections: a valid profile whose API keys screen asks those providers\' keys', () => {
    let s = atAi(aiDraft());
    s = answer(s, ['openai', 'openrouter']);
    s = answer(s, 7.5);
    s = answer(s, true);
    expect(s.screen).toBe('api-keys');
    expect(s.draft['litellm'].models).toEqual([...SUGGESTED_MODELS.openai, ...SUGGESTED_MODELS.openrouter]);
    expect(s.draft['litellm'].budgets).toEqual({ globalDaily: 7.5 });
    expect(s.draft['qdrant'].collections.map((c: { name: string; dimensions: number }) => `${c.name}/${c.dimensions}`)).toEqual(['semantic_cache/1536', 'content_index/1536']);
    const result = validateProfile(s.draft);
    expect(result.ok, JSON.stringify(result.ok ? [] : result.issues)).toBe(true);
    const keys = currentFields(s, wizardCatalog).map((f) => f.secretKey);
    expect(keys).toContain('openai.apiKey');
    expect(keys).toContain('openrouter.apiKey');
    expect(keys).not.toContain('anthropic.apiKey');
  });

  it('on a re-run shows the providers the profile has, keeps models the operator wrote, and drops a provider no longer chosen', () => {
    const draft = aiDraft();
    draft['litellm'] = { models: [{ alias: 'my-sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5' }, { alias: 'mini', provider: 'openai', model: 'gpt-4o-mini' }] };
    let s = atAi(draft);
    const providers = currentFields(s, wizardCatalog)[0];
    expect(fieldValue(s, providers as never)).toEqual(['anthropic', 'openai']);
    s = answer(s, ['anthropic', 'gemini']);
    expect(s.draft['litellm'].models).toEqual([{ alias: 'my-sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5' }, ...SUGGESTED_MODELS.gemini]);
  });

  it('"no" to the collections removes them; "yes" keeps a list the operator wrote', () => {
    const draft = aiDraft();
    draft['qdrant'] = { collections: [{ name: 'mine', dimensions: 768 }] };
    const at = (d: Record<string, any>): WizardState => ({ ...atAi(d), field: 2 });
    expect(answer(at(draft), true).draft['qdrant'].collections).toEqual([{ name: 'mine', dimensions: 768 }]);
    expect(answer(at(draft), false).draft['qdrant']?.collections).toBeUndefined();
  });
});
