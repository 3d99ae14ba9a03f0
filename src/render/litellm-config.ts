import { stringify } from 'yaml';
import type { LitellmProvider, LitellmSettings } from '../profile/litellm-schema.js';

/** Where the real image reads its configuration: compose runs it with `--config LITELLM_CONFIG_PATH` (vpai-system §4.4). */
export const LITELLM_CONFIG_PATH = '/app/config.yaml';
export const LITELLM_PORT = 4000;
/** The container command: the image's entrypoint takes the proxy's own flags (`litellm --config FILE --port N`). */
export const LITELLM_COMMAND: readonly string[] = ['--config', LITELLM_CONFIG_PATH, '--port', String(LITELLM_PORT)];

/** The environment variable that carries each provider's key into the container (env file, 0600). */
export const PROVIDER_ENV: Readonly<Record<LitellmProvider, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
  gemini: 'GEMINI_API_KEY',
  byteplus: 'BYTEPLUS_API_KEY',
};

/**
 * LiteLLM's provider prefix (`litellm_params.model: <prefix>/<model>`) and the provider name its
 * `provider_budget_config` uses. BytePlus ModelArk is served by LiteLLM's Volcengine provider
 * (same API), pointed at BytePlus's international endpoint.
 */
const LITELLM_PROVIDER: Readonly<Record<LitellmProvider, { prefix: string; apiBase?: string }>> = {
  anthropic: { prefix: 'anthropic' },
  openai: { prefix: 'openai' },
  openrouter: { prefix: 'openrouter' },
  gemini: { prefix: 'gemini' },
  byteplus: { prefix: 'volcengine', apiBase: 'https://ark.ap-southeast.bytepluses.com/api/v3' },
};

const env = (name: string): string => `os.environ/${name}`;

export { providerKeysNeeded as litellmProviderKeys } from '../profile/litellm-schema.js';

/** The aliases LiteLLM lists at /v1/models once it runs this configuration, sorted. */
export function litellmAliases(settings: LitellmSettings): string[] {
  return settings.models.map((m) => m.alias).sort();
}

/**
 * LiteLLM's config.yaml as a typed object (vpai-system §4.9; sections as LiteLLM's docs name them:
 * docs.litellm.ai/docs/proxy/configs, /proxy/provider_budget_routing, /proxy/caching). No secret is
 * written here: every key is an `os.environ/NAME` reference LiteLLM resolves from the 0600 env file,
 * so this file can be 0644 (L-B8).
 */
export function litellmConfig(settings: LitellmSettings): Record<string, unknown> {
  const { budgets } = settings;
  return {
    model_list: settings.models.map((m) => {
      const provider = LITELLM_PROVIDER[m.provider];
      return {
        model_name: m.alias,
        litellm_params: {
          model: `${provider.prefix}/${m.model}`,
          api_key: env(PROVIDER_ENV[m.provider]),
          ...(provider.apiBase ? { api_base: provider.apiBase } : {}),
          ...(m.maxTokens !== undefined ? { max_tokens: m.maxTokens } : {}),
        },
      };
    }),
    router_settings: {
      routing_strategy: 'usage-based-routing-v2',
      num_retries: 2,
      timeout: 120,
      cooldown_time: 60,
      redis_host: env('REDIS_HOST'),
      redis_port: env('REDIS_PORT'),
      redis_password: env('REDIS_PASSWORD'),
      // Daily caps per provider, kept in Redis (LiteLLM's provider budget routing).
      provider_budget_config: Object.fromEntries(
        (Object.entries(budgets.perProvider) as [LitellmProvider, { usd: number; period: string }][]).map(([p, b]) => [
          LITELLM_PROVIDER[p].prefix,
          { budget_limit: b.usd, time_period: b.period },
        ]),
      ),
    },
    litellm_settings: {
      drop_params: true,
      // The proxy-wide cap (LiteLLM's `litellm.max_budget`), reset every day.
      max_budget: budgets.globalDaily,
      budget_duration: '1d',
      // Exact-match cache in Redis; host, port and password come from REDIS_* in the env file.
      cache: true,
      cache_params: { type: 'redis', ttl: 3600 },
    },
    general_settings: {
      master_key: env('LITELLM_MASTER_KEY'),
      database_url: env('DATABASE_URL'),
      // L-B5: background health checks call every model and spend the budget.
      health_check_interval: 0,
      background_health_checks: false,
    },
    // LiteLLM has no setting for fractional budget alerts: the thresholds reach the proxy's
    // environment (and so its callbacks and the alerting workflow that reads them) as USD amounts.
    environment_variables: {
      LITELLM_BUDGET_WARNING_USD: String(round(budgets.globalDaily * budgets.alertThresholds.warning)),
      LITELLM_BUDGET_CRITICAL_USD: String(round(budgets.globalDaily * budgets.alertThresholds.critical)),
    },
  };
}

const round = (n: number): number => Math.round(n * 10_000) / 10_000;

/** The file itself. */
export function renderLitellmConfig(settings: LitellmSettings): string {
  return `# written by homelab-wizard from the profile's litellm block; edits are replaced on the next deploy\n${stringify(litellmConfig(settings), { lineWidth: 0 })}`;
}
