import { LITELLM_PROVIDERS, type LitellmProvider } from './litellm-schema.js';

/** A LiteLLM model entry as the profile writes it (`litellm.models[]`). */
export interface SuggestedModel {
  readonly alias: string;
  readonly provider: LitellmProvider;
  readonly model: string;
  readonly maxTokens?: number;
}

/**
 * The models the wizard proposes for each provider whose key the operator has: the aliases the
 * system homelab-wizard replaces serves (vpai-system §2.3), one or two per provider. The operator
 * edits `litellm.models` in the profile for others.
 */
export const SUGGESTED_MODELS: Readonly<Record<LitellmProvider, readonly SuggestedModel[]>> = {
  anthropic: [
    { alias: 'claude-sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5' },
    { alias: 'claude-haiku', provider: 'anthropic', model: 'claude-haiku-4-5' },
  ],
  openai: [
    { alias: 'gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini' },
    { alias: 'embedding', provider: 'openai', model: 'text-embedding-3-small' },
  ],
  openrouter: [
    { alias: 'deepseek-v3', provider: 'openrouter', model: 'deepseek/deepseek-chat-v3-0324', maxTokens: 4096 },
    { alias: 'qwen3-coder', provider: 'openrouter', model: 'qwen/qwen3-coder', maxTokens: 4096 },
  ],
  gemini: [{ alias: 'gemini-flash', provider: 'gemini', model: 'gemini-2.5-flash' }],
  byteplus: [{ alias: 'seedream', provider: 'byteplus', model: 'seedream-4-0-250828' }],
};

export const PROVIDER_LABELS: Readonly<Record<LitellmProvider, string>> = {
  anthropic: 'Anthropic (Claude)',
  openai: 'OpenAI',
  openrouter: 'OpenRouter (DeepSeek, Qwen, ...)',
  gemini: 'Google Gemini',
  byteplus: 'BytePlus ModelArk',
};

/**
 * The model list for the chosen providers: the models already in the list for those providers
 * are kept as they are (a re-run changes nothing the operator wrote); a newly chosen provider
 * gets its suggested models; a provider no longer chosen loses its models.
 */
export function modelsForProviders(current: readonly SuggestedModel[], chosen: readonly string[]): SuggestedModel[] {
  const providers = LITELLM_PROVIDERS.filter((p) => chosen.includes(p));
  return providers.flatMap((p) => {
    const kept = current.filter((m) => m.provider === p);
    return kept.length > 0 ? kept : [...SUGGESTED_MODELS[p]];
  });
}

/** The Qdrant collections of vpai-system §2.3: LiteLLM's semantic cache and the RAG index, for text-embedding-3-small. */
export const SUGGESTED_COLLECTIONS = [
  { name: 'semantic_cache', dimensions: 1536, distance: 'Cosine' },
  { name: 'content_index', dimensions: 1536, distance: 'Cosine' },
] as const;
