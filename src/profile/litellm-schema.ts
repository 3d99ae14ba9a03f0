import { z } from 'zod';

/** The model providers LiteLLM is configured for (vpai-system §2.3, §4.9); each has its own vault key. */
export const LITELLM_PROVIDERS = ['anthropic', 'openai', 'openrouter', 'gemini', 'byteplus'] as const;
export type LitellmProvider = (typeof LITELLM_PROVIDERS)[number];

/** The vault key of each provider's API key: a provider without one can have no models. */
export const PROVIDER_KEY: Readonly<Record<LitellmProvider, string>> = {
  anthropic: 'anthropic.apiKey',
  openai: 'openai.apiKey',
  openrouter: 'openrouter.apiKey',
  gemini: 'gemini.apiKey',
  byteplus: 'byteplus.apiKey',
};

const usd = z.number().positive('must be an amount in US dollars greater than 0').max(100_000);
const fraction = z.number().gt(0, 'must be a fraction between 0 and 1').lt(1, 'must be a fraction between 0 and 1');

const model = z.strictObject({
  /** The name clients ask for (`model` of an OpenAI request): LiteLLM's `model_name`. */
  alias: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be lower-case letters, digits, dots, dashes or underscores, such as claude-sonnet'),
  provider: z.enum(LITELLM_PROVIDERS, { message: `must be one of ${LITELLM_PROVIDERS.join(', ')}` }),
  /** The provider's own model name, such as claude-sonnet-4-5 or deepseek/deepseek-chat-v3:free. */
  model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/, "must be the provider's model name, such as gpt-4o-mini or deepseek/deepseek-r1"),
  maxTokens: z.number().int().min(1).max(1_000_000).optional(),
});

/** A provider's cap: USD per period (LiteLLM's `provider_budget_config`). */
const providerBudget = (usdDefault: number, period: '1d' | '30d' = '1d') =>
  z.strictObject({ usd: usd.default(usdDefault), period: z.enum(['1d', '7d', '30d']).default(period) }).prefault({});

export const litellmSchema = z
  .strictObject({
    /** The models LiteLLM serves; each provider used needs its key in the vault. */
    models: z
      .array(model)
      .default([])
      .superRefine((models, ctx) => {
        const seen = new Map<string, number>();
        models.forEach((m, i) => {
          const first = seen.get(m.alias);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'alias'], message: `'${m.alias}' is already the alias of models[${first}]; aliases must be unique` });
          else seen.set(m.alias, i);
        });
      }),
    budgets: z
      .strictObject({
        /** LiteLLM's proxy-wide `max_budget` per day. */
        globalDaily: usd.default(5),
        perProvider: z
          .strictObject({
            anthropic: providerBudget(0.75),
            openai: providerBudget(0.5),
            openrouter: providerBudget(3.25),
            gemini: providerBudget(0.25),
            byteplus: providerBudget(5, '30d'),
          })
          .prefault({}),
        /** Fractions of the daily budget at which the budget alerts fire. */
        alertThresholds: z
          .strictObject({ warning: fraction.default(0.7), critical: fraction.default(0.9) })
          .prefault({})
          .superRefine((t, ctx) => {
            if (t.warning >= t.critical) ctx.addIssue({ code: 'custom', path: ['warning'], message: `must be below critical (${t.critical})` });
          }),
      })
      .prefault({}),
  })
  .prefault({});

export type LitellmSettings = z.output<typeof litellmSchema>;

/** The vault keys the configured models need: one per provider in use, sorted. */
export function providerKeysNeeded(settings: LitellmSettings): string[] {
  return [...new Set(settings.models.map((m) => PROVIDER_KEY[m.provider]))].sort();
}
