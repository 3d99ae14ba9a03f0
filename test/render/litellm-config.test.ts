import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { LITELLM_CONFIG_PATH, litellmConfig } from '../../src/render/litellm-config.js';
import { renderRelease, type Release } from '../../src/render/release.js';
import type { Profile } from '../../src/profile/schema.js';
import { validExample } from '../helpers/profiles.js';
import { NASTY } from '../helpers/release-fixture.js';

/** Every key the catalogue knows, provider keys included. */
const vault = (key: string): Secret | undefined => Secret.of(`${NASTY}-${key}`);
const render = (profile: Profile, secret = vault): Release => renderRelease({ profile, host: profile.hosts[0]!, projectDir: '/opt/homelab/vpai', secret });
const text = (r: Release, file: string): string => {
  const c = r.files.find((f) => f.path === file)?.content;
  if (c === undefined) throw new Error(`no ${file}`);
  return isSecret(c) ? c.reveal() : c;
};
const changedServices = (a: Release, b: Release): string[] => [...a.inputs].filter(([id, hash]) => b.inputs.get(id) !== hash).map(([id]) => id);

describe("LiteLLM's config.yaml", () => {
  it('lists every model of the profile as <provider>/<model> with its key from the environment, never the key itself', () => {
    const r = render(validExample('vpai'));
    const file = r.files.find((f) => f.path === 'config/litellm/config.yaml');
    expect(file).toMatchObject({ mode: '0644', service: 'litellm' });
    expect(typeof file?.content).toBe('string');
    const config = parse(text(r, 'config/litellm/config.yaml'));
    expect(config.model_list).toContainEqual({ model_name: 'claude-sonnet', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_key: 'os.environ/ANTHROPIC_API_KEY' } });
    expect(config.model_list).toContainEqual({ model_name: 'deepseek-v3', litellm_params: { model: 'openrouter/deepseek/deepseek-chat-v3-0324', api_key: 'os.environ/OPENROUTER_API_KEY', max_tokens: 4096 } });
    expect(config.model_list).toContainEqual({ model_name: 'gemini-flash', litellm_params: { model: 'gemini/gemini-2.5-flash', api_key: 'os.environ/GEMINI_API_KEY' } });
    expect(config.model_list).toContainEqual({
      model_name: 'seedream',
      litellm_params: { model: 'volcengine/seedream-4-0-250828', api_key: 'os.environ/BYTEPLUS_API_KEY', api_base: 'https://ark.ap-southeast.bytepluses.com/api/v3' },
    });
    expect(config.model_list.map((m: { model_name: string }) => m.model_name)).toEqual(['claude-sonnet', 'claude-haiku', 'gpt-4o-mini', 'embedding', 'deepseek-v3', 'qwen3-coder', 'gemini-flash', 'seedream']);
    expect(text(r, 'config/litellm/config.yaml')).not.toContain(NASTY);
  });

  it("carries vpai's settings: budgets per provider and per day, Redis cache, master key and database from the environment, no background health checks", () => {
    const config = litellmConfig(validExample('vpai').litellm) as Record<string, any>;
    expect(config['router_settings']).toMatchObject({
      routing_strategy: 'usage-based-routing-v2', num_retries: 2, timeout: 120, cooldown_time: 60,
      redis_host: 'os.environ/REDIS_HOST', redis_port: 'os.environ/REDIS_PORT', redis_password: 'os.environ/REDIS_PASSWORD',
      provider_budget_config: {
        anthropic: { budget_limit: 0.75, time_period: '1d' }, openai: { budget_limit: 0.5, time_period: '1d' }, openrouter: { budget_limit: 3.25, time_period: '1d' },
        gemini: { budget_limit: 0.25, time_period: '1d' }, volcengine: { budget_limit: 5, time_period: '30d' },
      },
    });
    expect(config['litellm_settings']).toEqual({ drop_params: true, max_budget: 5, budget_duration: '1d', cache: true, cache_params: { type: 'redis', ttl: 3600 } });
    expect(config['general_settings']).toEqual({ master_key: 'os.environ/LITELLM_MASTER_KEY', database_url: 'os.environ/DATABASE_URL', health_check_interval: 0, background_health_checks: false });
    expect(config['environment_variables']).toEqual({ LITELLM_BUDGET_WARNING_USD: '3.5', LITELLM_BUDGET_CRITICAL_USD: '4.5' });
  });

  it('is mounted read-only where the image reads it, and the container runs with --config', () => {
    const r = render(validExample('vpai'));
    const apps = parse(text(r, 'docker-compose.yml'), { version: '1.1' });
    expect(apps.services.litellm.volumes).toContain(`./config/litellm/config.yaml:${LITELLM_CONFIG_PATH}:ro`);
    expect(apps.services.litellm.command).toEqual(['--config', '/app/config.yaml', '--port', '4000']);
  });

  it('puts the provider keys the vault has, Redis, the UI login, salt key and database in the 0600 env file', () => {
    const r = render(validExample('vpai'), (key) => (key === 'byteplus.apiKey' ? undefined : vault(key)));
    const file = r.files.find((f) => f.path === 'env/litellm.env');
    expect(file?.mode).toBe('0600');
    const env = text(r, 'env/litellm.env');
    for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'GEMINI_API_KEY', 'LITELLM_MASTER_KEY', 'LITELLM_SALT_KEY', 'DATABASE_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD', 'UI_USERNAME', 'UI_PASSWORD']) {
      expect(env).toMatch(new RegExp(`^${name}=`, 'm'));
    }
    expect(env).toContain('GEMINI_API_KEY="');
    expect(env).not.toContain('BYTEPLUS_API_KEY');
  });

  it('stops the deploy naming the key when a configured model has a provider whose key the vault lacks', () => {
    const r = render(validExample('vpai'), (key) => (key === 'gemini.apiKey' ? undefined : vault(key)));
    expect(r.missingSecrets).toEqual(['gemini.apiKey']);
    // No Gemini model: no Gemini key needed.
    const noGemini = validExample('vpai', (raw) => {
      raw['litellm'].models = raw['litellm'].models.filter((m: { provider: string }) => m.provider !== 'gemini');
    });
    expect(render(noGemini, (key) => (key === 'gemini.apiKey' ? undefined : vault(key))).missingSecrets).toEqual([]);
  });

  it('recreates only litellm when a budget changes; a changed model list also reaches OpenClaw, which lists the models (without it, only litellm)', () => {
    const base = render(validExample('vpai'));
    const fewer = render(validExample('vpai', (raw) => raw['litellm'].models.pop()));
    expect(changedServices(base, fewer)).toEqual(['litellm', 'openclaw']);
    const noOpenclaw = (raw: Record<string, any>) => (raw['hosts'][0].services = raw['hosts'][0].services.filter((s: unknown) => (typeof s === 'string' ? s : (s as { name: string }).name) !== 'openclaw'));
    const alone = render(validExample('vpai', noOpenclaw));
    const aloneFewer = render(validExample('vpai', (raw) => { noOpenclaw(raw); raw['litellm'].models.pop(); }));
    expect(changedServices(alone, aloneFewer)).toEqual(['litellm']);
    const cheaper = render(validExample('vpai', (raw) => (raw['litellm'].budgets.perProvider.openai.usd = 0.4)));
    expect(changedServices(base, cheaper)).toEqual(['litellm']);
    const threshold = render(validExample('vpai', (raw) => (raw['litellm'].budgets.alertThresholds.warning = 0.6)));
    expect(changedServices(base, threshold)).toEqual(['litellm']);
    expect(render(validExample('vpai')).inputs).toEqual(base.inputs);
  });
});
