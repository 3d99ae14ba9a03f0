import { describe, expect, it } from 'vitest';
import { findService } from '../../src/catalog/catalog.js';
import { parse } from 'yaml';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { OPENCLAW_CONFIG_PATH, openclawConfig } from '../../src/render/openclaw-config.js';
import { renderRelease, type Release } from '../../src/render/release.js';
import type { Profile } from '../../src/profile/schema.js';
import { validExample } from '../helpers/profiles.js';
import { NASTY } from '../helpers/release-fixture.js';

const vault = (key: string): Secret | undefined => Secret.of(`${NASTY}-${key}`);
const without = (...keys: string[]) => (key: string): Secret | undefined => (keys.includes(key) ? undefined : vault(key));
const render = (profile: Profile, secret = vault): Release => renderRelease({ profile, host: profile.hosts[0]!, projectDir: '/opt/homelab/vpai', secret });
const text = (r: Release, file: string): string => {
  const c = r.files.find((f) => f.path === file)?.content;
  if (c === undefined) throw new Error(`no ${file}`);
  return isSecret(c) ? c.reveal() : c;
};
const FILE = 'config/openclaw/openclaw.json';
const config = (r: Release): Record<string, any> => JSON.parse(text(r, FILE));
const changedServices = (a: Release, b: Release): string[] => [...a.inputs].filter(([id, hash]) => b.inputs.get(id) !== hash).map(([id]) => id);

describe("OpenClaw's openclaw.json", () => {
  it('runs a local gateway on 18789 on every interface, token auth from the environment, Caddy trusted on the backend subnet, the control UI on its own site only', () => {
    const r = render(validExample('vpai'));
    const file = r.files.find((f) => f.path === FILE);
    expect(file).toMatchObject({ mode: '0644', service: 'openclaw' });
    expect(config(r)['gateway']).toEqual({
      mode: 'local',
      port: 18789,
      bind: 'lan',
      auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' },
      trustedProxies: ['172.20.2.0/24'],
      controlUi: { enabled: true, basePath: '/', allowedOrigins: ['https://javisi.example.com'] },
    });
    // No secret in the file: the token, LiteLLM's key and the bot token come from the 0600 env file.
    expect(text(r, FILE)).not.toContain(NASTY);
  });

  it("has LiteLLM as model provider custom-litellm at http://litellm:4000/v1, its key from the environment, with the profile's LiteLLM models", () => {
    const c = config(render(validExample('vpai')));
    expect(c['models']).toEqual({
      mode: 'merge',
      providers: {
        'custom-litellm': {
          baseUrl: 'http://litellm:4000/v1',
          apiKey: '${LITELLM_API_KEY}',
          api: 'openai-completions',
          models: ['claude-sonnet', 'claude-haiku', 'gpt-4o-mini', 'embedding', 'deepseek-v3', 'qwen3-coder', 'gemini-flash', 'seedream'].map((id) => ({ id, name: id })),
        },
      },
    });
    expect(c['agents'].defaults.model).toEqual({ primary: 'custom-litellm/claude-sonnet' });
    const chosen = config(render(validExample('vpai', (raw) => (raw['openclaw'] = { defaultModel: 'deepseek-v3' }))));
    expect(chosen['agents'].defaults.model).toEqual({ primary: 'custom-litellm/deepseek-v3' });
  });

  it('gives agents no default model when LiteLLM has none', () => {
    const c = openclawConfig({ settings: validExample('minimal').openclaw, litellm: validExample('minimal').litellm, project: 'p', telegram: false, braveSearch: false }) as Record<string, any>;
    expect(c['agents'].defaults.model).toBeUndefined();
    expect(c['models'].providers['custom-litellm'].models).toEqual([]);
    // OpenClaw refuses an enabled control UI on a non-loopback bind without allowed origins.
    expect(c['gateway'].controlUi).toEqual({ enabled: false });
  });

  it("sandboxes non-main agents with vpai's limits by default (§4.11), and the profile's when set", () => {
    const sandbox = config(render(validExample('vpai')))['agents'].defaults.sandbox;
    expect(sandbox).toEqual({
      mode: 'non-main',
      scope: 'agent',
      workspaceAccess: 'rw',
      docker: {
        image: 'openclaw-sandbox:bookworm-slim',
        readOnlyRoot: true,
        tmpfs: ['/tmp', '/var/tmp', '/run'],
        network: 'vpai_sandbox',
        user: '1000:1000',
        capDrop: ['ALL'],
        pidsLimit: 256,
        memory: '1g',
        cpus: 1,
      },
      prune: { idleHours: 24, maxAgeDays: 7 },
    });
    const set = config(render(validExample('vpai', (raw) => (raw['openclaw'] = { sandbox: { mode: 'all', scope: 'session', workspaceAccess: 'ro', memory: '512M', cpus: 0.5, pidsLimit: 128 } }))));
    expect(set['agents'].defaults.sandbox).toMatchObject({ mode: 'all', scope: 'session', workspaceAccess: 'ro', docker: { memory: '512m', cpus: 0.5, pidsLimit: 128 } });
  });

  it('configures the Telegram channel, its plugin enabled (L-F1), only when the vault has the bot token: allowlist with the chat id, else pairing', () => {
    expect(config(render(validExample('vpai'), without('telegram.openclawBotToken')))).not.toHaveProperty('channels');
    expect(config(render(validExample('vpai'), without('telegram.openclawBotToken')))).not.toHaveProperty('plugins');
    const pairing = config(render(validExample('vpai')));
    expect(pairing['channels']).toEqual({ telegram: { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', dmPolicy: 'pairing' } });
    expect(pairing['plugins']).toEqual({ entries: { telegram: { enabled: true } } });
    const allowlist = config(render(validExample('vpai', (raw) => (raw['openclaw'] = { telegramChatId: '-1001234567890' }))));
    expect(allowlist['channels'].telegram).toEqual({ enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', dmPolicy: 'allowlist', allowFrom: ['-1001234567890'] });
  });

  it('is mounted read-only where OpenClaw reads it, which the env file names; the gateway token and LiteLLM key are in the 0600 env file', () => {
    const r = render(validExample('vpai'));
    const apps = parse(text(r, 'docker-compose.yml'), { version: '1.1' });
    expect(apps.services.openclaw.volumes).toContain(`./config/openclaw/openclaw.json:${OPENCLAW_CONFIG_PATH}:ro`);
    expect(OPENCLAW_CONFIG_PATH).toBe('/home/node/.openclaw/openclaw.json');
    const env = text(r, 'env/openclaw.env');
    expect(r.files.find((f) => f.path === 'env/openclaw.env')?.mode).toBe('0600');
    expect(env).toMatch(/^OPENCLAW_CONFIG_PATH="?\/home\/node\/\.openclaw\/openclaw\.json"?$/m);
    for (const name of ['OPENCLAW_GATEWAY_TOKEN', 'LITELLM_API_KEY', 'TELEGRAM_BOT_TOKEN']) expect(env).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('recreates only openclaw when an OpenClaw setting changes; a LiteLLM model change reaches both (OpenClaw lists the models); a budget only LiteLLM', () => {
    const base = render(validExample('vpai'));
    expect(changedServices(base, render(validExample('vpai', (raw) => (raw['openclaw'] = { sandbox: { pidsLimit: 128 } }))))).toEqual(['openclaw']);
    expect(changedServices(base, render(validExample('vpai', (raw) => (raw['openclaw'] = { defaultModel: 'gpt-4o-mini' }))))).toEqual(['openclaw']);
    expect(changedServices(base, render(validExample('vpai', (raw) => raw['litellm'].models.pop())))).toEqual(['litellm', 'openclaw']);
    expect(changedServices(base, render(validExample('vpai', (raw) => (raw['litellm'].budgets.globalDaily = 4))))).toEqual(['litellm']);
    expect(render(validExample('vpai')).inputs).toEqual(base.inputs);
  });
});

describe('Brave Search for OpenClaw', () => {
  it("is an optional vault key of openclaw's: with it the web search tool is on and BRAVE_API_KEY is in the env file, without it neither", () => {
    const withKey = render(validExample('vpai'));
    expect(config(withKey)['tools']).toEqual({ web: { search: { enabled: true, provider: 'brave' } } });
    expect(text(withKey, 'env/openclaw.env')).toMatch(/^BRAVE_API_KEY=".*-brave\.apiKey"$/m);
    expect(text(withKey, FILE)).not.toContain('brave.apiKey');
    const none = render(validExample('vpai'), without('brave.apiKey'));
    expect(config(none)).not.toHaveProperty('tools');
    expect(text(none, 'env/openclaw.env')).not.toContain('BRAVE_API_KEY');
    expect(none.missingSecrets).toEqual([]);
    const spec = findService('openclaw')?.secrets.find((s) => s.key === 'brave.apiKey');
    expect(spec).toBeDefined();
    expect(spec?.generate).toBeUndefined();
    expect(spec?.required).toBeUndefined();
  });
});
