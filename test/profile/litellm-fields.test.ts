import { describe, expect, it } from 'vitest';
import { exampleProfile, issueAt, validExample } from '../helpers/profiles.js';

type Mutate = (l: Record<string, any>) => void;
const model = (alias: string, provider = 'openai', name = 'gpt-4o-mini') => ({ alias, provider, model: name });

/** One bad value per rule of the litellm block, the path it is reported at and words of the message. */
const cases: [string, Mutate, string, RegExp][] = [
  ['an unknown provider', (l) => (l.models = [model('x', 'mistral')]), 'litellm.models[0].provider', /anthropic, openai, openrouter, gemini, byteplus/],
  ['an alias with spaces', (l) => (l.models = [model('my model')]), 'litellm.models[0].alias', /lower-case letters/],
  ['two models with one alias', (l) => (l.models = [model('mini'), model('mini', 'openrouter', 'openai/gpt-4o-mini')]), 'litellm.models[1].alias', /'mini' is already the alias of models\[0\]/],
  ['a model name with a space', (l) => (l.models = [model('mini', 'openai', 'gpt 4o')]), 'litellm.models[0].model', /provider's model name/],
  ['maxTokens of 0', (l) => (l.models = [{ ...model('mini'), maxTokens: 0 }]), 'litellm.models[0].maxTokens', /.+/],
  ['an unknown model field', (l) => (l.models = [{ ...model('mini'), apiKey: 'sk-x' }]), 'litellm.models[0].apiKey', /not a known field/],
  ['a global budget of 0', (l) => (l.budgets = { globalDaily: 0 }), 'litellm.budgets.globalDaily', /greater than 0/],
  ['a negative provider budget', (l) => (l.budgets = { perProvider: { openai: { usd: -1 } } }), 'litellm.budgets.perProvider.openai.usd', /greater than 0/],
  ['a provider budget as a bare number', (l) => (l.budgets = { perProvider: { openai: 0.5 } }), 'litellm.budgets.perProvider.openai', /.+/],
  ['an unknown budget period', (l) => (l.budgets = { perProvider: { byteplus: { usd: 5, period: '1y' } } }), 'litellm.budgets.perProvider.byteplus.period', /1d/],
  ['a threshold above 1', (l) => (l.budgets = { alertThresholds: { warning: 0.5, critical: 1.5 } }), 'litellm.budgets.alertThresholds.critical', /between 0 and 1/],
  ['warning not below critical', (l) => (l.budgets = { alertThresholds: { warning: 0.9, critical: 0.8 } }), 'litellm.budgets.alertThresholds.warning', /below critical \(0\.8\)/],
];

describe('the litellm block of the profile', () => {
  it.each(cases)('rejects %s, naming the field', (_what, mutate, path, message) => {
    const raw = exampleProfile('minimal');
    raw['litellm'] = {};
    mutate(raw['litellm']);
    expect(issueAt(raw, path).message).toMatch(message);
  });

  it("defaults to no models and vpai's budgets and thresholds (vpai-system §2.3)", () => {
    const p = validExample('minimal');
    expect(p.litellm.models).toEqual([]);
    expect(p.litellm.budgets).toEqual({
      globalDaily: 5,
      perProvider: {
        anthropic: { usd: 0.75, period: '1d' }, openai: { usd: 0.5, period: '1d' }, openrouter: { usd: 3.25, period: '1d' },
        gemini: { usd: 0.25, period: '1d' }, byteplus: { usd: 5, period: '30d' },
      },
      alertThresholds: { warning: 0.7, critical: 0.9 },
    });
  });

  it('gives the vpai example a model of every provider', () => {
    const p = validExample('vpai');
    expect(new Set(p.litellm.models.map((m) => m.provider))).toEqual(new Set(['anthropic', 'openai', 'openrouter', 'gemini', 'byteplus']));
  });
});
