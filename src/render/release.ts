import { createHash } from 'node:crypto';
import { isSecret, Secret } from '../lib/secret.js';
import { hostServices, servesApex, type EffectiveService } from '../profile/effective.js';
import type { Host, Profile } from '../profile/schema.js';
import { CADDY_ACME_ROOTS, renderCaddyfile } from './caddyfile.js';
import { composeServices, renderComposeFile, type ServiceFiles } from './compose.js';
import { renderEnvFile } from './env-file.js';
import { LITELLM_COMMAND, LITELLM_CONFIG_PATH, litellmProviderKeys, renderLitellmConfig } from './litellm-config.js';
import { OPENCLAW_CONFIG_PATH, renderOpenclawConfig } from './openclaw-config.js';
import { QDRANT_CONFIG_TARGET, renderQdrantConfig } from './qdrant-config.js';
import { serviceEnv, type MaybeSecret } from './service-env.js';
import { siteName } from './site-names.js';
import { BUILTIN_TEMPLATES, renderTemplate, type Templates } from './templates.js';

/** A file of a release, relative to the release folder. */
export interface ReleaseFile {
  readonly path: string;
  readonly mode: string;
  /** Numeric owner for files a container reads as its own user; absent: the deploy user. */
  readonly uid?: number;
  readonly gid?: number;
  readonly content: string | Secret;
  /** The service whose own input this is (env file, config); absent for the shared compose files. */
  readonly service?: string;
}

export interface Release {
  readonly files: readonly ReleaseFile[];
  readonly services: readonly EffectiveService[];
  /** Per service: the hash that decides whether its container must be recreated (compose label `homelab-wizard.inputs`). */
  readonly inputs: ReadonlyMap<string, string>;
  /** Vault keys the release needs and the vault does not have. */
  readonly missingSecrets: readonly string[];
}

export interface ReleaseInput {
  readonly profile: Profile;
  readonly host: Host;
  /** `<deploy root>/<project>`. */
  readonly projectDir: string;
  readonly secret: MaybeSecret;
  /** The text configuration templates (the user's overrides included); absent: the built-in ones. */
  readonly templates?: Templates;
}

/**
 * A Redis string: double-quoted, with backslash, quote and every control character escaped
 * (`\xHH`), so a password can never end the line and start a directive of its own.
 */
export function redisQuote(value: string): string {
  const escaped = value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

function sha256(parts: readonly (string | Secret | undefined)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part === undefined ? '\0' : isSecret(part) ? part.reveal() : part).update('\0');
  return hash.digest('hex');
}

/**
 * Everything one host runs, rendered: compose files, env files, config files. Pure: secrets come
 * through `secret`, and a missing one is collected, not thrown, so the operator sees them all.
 */
export function renderRelease({ profile, host, projectDir, secret, templates = BUILTIN_TEMPLATES }: ReleaseInput): Release {
  const services = hostServices(profile, host);
  const missing = new Set<string>();
  const need = (key: string): Secret => {
    const value = secret(key);
    if (value) return value;
    missing.add(key);
    return Secret.of('');
  };
  const files: ReleaseFile[] = [];
  const serviceFiles = new Map<string, ServiceFiles>();

  for (const service of services) {
    if (service.entry.placement.kind !== 'compose') continue;
    const own: ReleaseFile[] = [];
    const env = serviceEnv(profile, service, need, secret);
    const envFile = `env/${service.id}.env`;
    own.push({ path: envFile, mode: '0600', content: renderEnvFile(env) });
    const mounts: { source: string; target: string }[] = [];
    let command: string[] | undefined;
    if (service.id === 'caddy') {
      const source = 'config/caddy/Caddyfile';
      own.push({ path: source, mode: '0644', content: renderCaddyfile({ profile, services, servesApex: servesApex(profile, host), templates }) });
      mounts.push({ source, target: '/etc/caddy/Caddyfile' });
      const acmeServer = profile.domain.tls === 'acme-http' ? profile.domain.acmeServer : undefined;
      if (acmeServer) {
        own.push({ path: 'config/caddy/acme-roots.pem', mode: '0644', content: acmeServer.roots });
        mounts.push({ source: 'config/caddy/acme-roots.pem', target: CADDY_ACME_ROOTS });
      }
    }
    if (service.id === 'redis') {
      const source = 'config/redis/redis.conf';
      const conf = need('redis.password').map((password) => {
        const quoted = redisQuote(password);
        return renderTemplate(templates, 'redis/redis.conf.eta', { password: quoted }, [password, quoted]);
      });
      own.push({ path: source, mode: '0600', uid: 999, gid: 999, content: conf });
      mounts.push({ source, target: '/usr/local/etc/redis/redis.conf' });
      command = ['redis-server', '/usr/local/etc/redis/redis.conf'];
    }
    if (service.id === 'litellm') {
      // A model of a provider whose key the vault lacks is a missing secret: the deploy stops and names it.
      for (const key of litellmProviderKeys(profile.litellm)) need(key);
      const source = 'config/litellm/config.yaml';
      own.push({ path: source, mode: '0644', content: renderLitellmConfig(profile.litellm) });
      mounts.push({ source, target: LITELLM_CONFIG_PATH });
      command = [...LITELLM_COMMAND];
    }
    if (service.id === 'openclaw') {
      // The Telegram channel and the web search tool exist only when the vault has their keys:
      // a `${NAME}` OpenClaw cannot resolve stops it at start.
      const source = 'config/openclaw/openclaw.json';
      const site = siteName(profile, service);
      const content = renderOpenclawConfig({
        settings: profile.openclaw,
        litellm: profile.litellm,
        project: profile.project.name,
        ...(site !== undefined ? { site } : {}),
        telegram: secret('telegram.openclawBotToken') !== undefined,
        braveSearch: secret('brave.apiKey') !== undefined,
      });
      own.push({ path: source, mode: '0644', content });
      mounts.push({ source, target: OPENCLAW_CONFIG_PATH });
    }
    if (service.id === 'qdrant') {
      // No secret inside (the API key stays in the env file): readable by the container's user.
      const source = 'config/qdrant/production.yaml';
      own.push({ path: source, mode: '0644', content: renderQdrantConfig() });
      mounts.push({ source, target: QDRANT_CONFIG_TARGET });
    }
    const filesHash = sha256(own.flatMap((f) => [f.path, f.mode, f.content]));
    serviceFiles.set(service.id, { envFile, mounts, filesHash, ...(command ? { command } : {}) });
    files.push(...own.map((f) => ({ ...f, service: service.id })));
  }

  const compose = { project: profile.project.name, dataDir: `${projectDir}/data`, services, files: serviceFiles, closeHttp: profile.access.mode === 'vpn-only' };
  files.unshift(
    { path: 'docker-compose-infra.yml', mode: '0644', content: renderComposeFile(compose, 'infra') },
    { path: 'docker-compose.yml', mode: '0644', content: renderComposeFile(compose, 'apps') },
  );
  return {
    files,
    services,
    inputs: new Map([...composeServices(compose)].map(([id, s]) => [id, s.inputs])),
    missingSecrets: [...missing].sort(),
  };
}
