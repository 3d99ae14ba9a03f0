import { NETWORKS } from '../catalog/networks.js';
import type { LitellmSettings } from '../profile/litellm-schema.js';
import type { OpenclawSettings } from '../profile/openclaw-schema.js';
import { networkName } from './compose.js';
import { LITELLM_PORT } from './litellm-config.js';

/**
 * Where OpenClaw reads its configuration: its documented default, `~/.openclaw/openclaw.json`
 * (docs/gateway/configuration.md), inside the system data dir the catalogue mounts at
 * /home/node/.openclaw; the env file names it too (`OPENCLAW_CONFIG_PATH`, docs/help/environment.md)
 * so the path does not hang on the image's HOME. Mounted read-only: the tool owns this file.
 */
export const OPENCLAW_CONFIG_PATH = '/home/node/.openclaw/openclaw.json';
export const OPENCLAW_PORT = 18789;
/** The model provider OpenClaw knows LiteLLM by: agents name models `custom-litellm/<alias>` (§4.11). */
export const OPENCLAW_LITELLM_PROVIDER = 'custom-litellm';
/** LiteLLM's OpenAI-compatible API, by its compose service name on the backend network. */
export const OPENCLAW_LITELLM_BASE_URL = `http://litellm:${LITELLM_PORT}/v1`;
/** The image OpenClaw builds from its /app/Dockerfile.sandbox (vpai-system §4.11 step 2). */
export const OPENCLAW_SANDBOX_IMAGE = 'openclaw-sandbox:bookworm-slim';
/** The environment variable OpenClaw's Brave web search reads (docs/tools/web.md). */
export const BRAVE_ENV = 'BRAVE_API_KEY';

/** `${NAME}`: OpenClaw substitutes the variable from its environment at load and refuses to start when it is unset. */
const env = (name: string): string => `\${${name}}`;

export interface OpenclawConfigInput {
  readonly settings: OpenclawSettings;
  readonly litellm: LitellmSettings;
  /** `<project>`: the compose networks are `<project>_<name>`. */
  readonly project: string;
  /** OpenClaw's site name (`<subdomain>.<domain>`), whose origin the control UI accepts; absent: no site. */
  readonly site?: string;
  /** The vault has `telegram.openclawBotToken`: the Telegram channel is configured. */
  readonly telegram: boolean;
  /** The vault has `brave.apiKey`: the web search tool is enabled. */
  readonly braveSearch: boolean;
}

/** The alias agents use by default: the profile's choice, else the first LiteLLM model. */
export function openclawDefaultModel(settings: OpenclawSettings, litellm: LitellmSettings): string | undefined {
  return settings.defaultModel ?? litellm.models[0]?.alias;
}

/**
 * openclaw.json as a typed object, with the key names and value types of OpenClaw 2026.2.23's
 * config schema (`OpenClawSchema`, src/config/zod-schema.ts and the files it imports): every object
 * there is strict, so an unknown key stops the gateway at start (L-F4). No secret is written: the
 * gateway token, LiteLLM's key and the bot token are `${NAME}` references OpenClaw resolves from
 * the 0600 env file, so this file can be 0644.
 */
export function openclawConfig(input: OpenclawConfigInput): Record<string, unknown> {
  const { settings, litellm } = input;
  const { sandbox } = settings;
  const model = openclawDefaultModel(settings, litellm);
  return {
    gateway: {
      mode: 'local',
      port: OPENCLAW_PORT,
      // Every interface of the container: Caddy reaches it over the backend network.
      bind: 'lan',
      auth: { mode: 'token', token: env('OPENCLAW_GATEWAY_TOKEN') },
      // Caddy is the one proxy in front, on the backend network: OpenClaw takes the client address from its headers.
      trustedProxies: NETWORKS.filter((n) => n.name === 'backend').map((n) => n.subnet),
      // OpenClaw refuses a control UI on a non-loopback bind without allowed origins: no site, no UI.
      controlUi: input.site !== undefined ? { enabled: true, basePath: '/', allowedOrigins: [`https://${input.site}`] } : { enabled: false },
    },
    models: {
      mode: 'merge',
      providers: {
        [OPENCLAW_LITELLM_PROVIDER]: {
          baseUrl: OPENCLAW_LITELLM_BASE_URL,
          apiKey: env('LITELLM_API_KEY'),
          api: 'openai-completions',
          models: litellm.models.map((m) => ({ id: m.alias, name: m.alias })),
        },
      },
    },
    agents: {
      defaults: {
        ...(model !== undefined ? { model: { primary: `${OPENCLAW_LITELLM_PROVIDER}/${model}` } } : {}),
        sandbox: {
          mode: sandbox.mode,
          scope: sandbox.scope,
          workspaceAccess: sandbox.workspaceAccess,
          docker: {
            image: OPENCLAW_SANDBOX_IMAGE,
            readOnlyRoot: true,
            tmpfs: ['/tmp', '/var/tmp', '/run'],
            // The internal sandbox network (LiteLLM's too, so it exists wherever OpenClaw runs): a sandboxed tool reaches nothing else.
            network: networkName(input.project, 'sandbox'),
            user: '1000:1000',
            capDrop: ['ALL'],
            pidsLimit: sandbox.pidsLimit,
            memory: sandbox.memory.toLowerCase(),
            cpus: sandbox.cpus,
          },
          prune: { idleHours: 24, maxAgeDays: 7 },
        },
      },
    },
    ...(input.braveSearch ? { tools: { web: { search: { enabled: true, provider: 'brave' } } } } : {}),
    ...(input.telegram
      ? {
          channels: {
            telegram: {
              enabled: true,
              botToken: env('TELEGRAM_BOT_TOKEN'),
              // One known chat: only it may talk to the bot; otherwise strangers must be paired by the operator.
              ...(settings.telegramChatId !== undefined ? { dmPolicy: 'allowlist', allowFrom: [settings.telegramChatId] } : { dmPolicy: 'pairing' }),
            },
          },
          // L-F1: channel plugins are off by default since 2026.2.22; without this the bot is silent.
          plugins: { entries: { telegram: { enabled: true } } },
        }
      : {}),
  };
}

/** The file itself: JSON, which OpenClaw's JSON5 reader takes as it is. */
export function renderOpenclawConfig(input: OpenclawConfigInput): string {
  return `${JSON.stringify(openclawConfig(input), null, 2)}\n`;
}
