import type { Secret } from '../lib/secret.js';
import type { EffectiveService } from '../profile/effective.js';
import type { Profile } from '../profile/schema.js';
import type { EnvEntries } from './env-file.js';
import { BRAVE_ENV, OPENCLAW_CONFIG_PATH } from './openclaw-config.js';
import { siteName } from './site-names.js';

/** Reads a secret the vault must have; the caller collects the missing keys and reports them all. */
export type NeedSecret = (key: string) => Secret;
/** Reads an optional secret (a provider key the operator may not have). */
export type MaybeSecret = (key: string) => Secret | undefined;

/** PostgreSQL URL with the password percent-encoded, so any byte survives. */
function pgUrl(user: string, password: Secret, database: string): Secret {
  return password.map((p) => `postgresql://${user}:${encodeURIComponent(p)}@postgresql:5432/${database}`);
}

/** NocoDB keeps its files (uploads without S3, its tool state) in NC_TOOL_DIR: the catalogue's data mount. */
function nocodbToolDir(service: EffectiveService): EnvEntries {
  const target = service.entry.dataDirs[0]?.target;
  return target !== undefined ? [['NC_TOOL_DIR', `${target}/`]] : [];
}

/**
 * S3 address as NocoDB uses it: its S3 plugin hands NC_S3_ENDPOINT to the AWS SDK and builds file
 * links with `new URL(endpoint)`, so it must carry a scheme; the profile may omit it (https).
 */
export function s3EndpointUrl(endpoint: string): string {
  return /^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`;
}

/**
 * Attachments in the shared bucket (vpai §4.12), with the backups' S3 endpoint, region and keys;
 * none without `backups.s3.sharedBucket` (NocoDB then keeps them in NC_TOOL_DIR). NocoDB reads
 * these at start and turns its S3 storage plugin on (packages/nocodb: initPluginsFromEnv).
 */
function nocodbStorage(profile: Profile, need: NeedSecret): EnvEntries {
  const s3 = profile.backups.s3;
  if (s3?.sharedBucket === undefined) return [];
  return [
    ['NC_S3_BUCKET_NAME', s3.sharedBucket],
    ['NC_S3_REGION', s3.region],
    ['NC_S3_ENDPOINT', s3EndpointUrl(s3.endpoint)],
    ['NC_S3_ACCESS_KEY', need('s3.accessKey')],
    ['NC_S3_ACCESS_SECRET', need('s3.secretKey')],
    // Hetzner's and most non-AWS servers want the bucket in the path, not in the host name.
    ['NC_S3_FORCE_PATH_STYLE', 'true'],
  ];
}

/** The environment each service runs with: its configuration as the real images document it. */
export function serviceEnv(profile: Profile, service: EffectiveService, need: NeedSecret, maybe: MaybeSecret): EnvEntries {
  const tz: EnvEntries = [['TZ', profile.locale.timezone]];
  const url = siteName(profile, service);
  const optional = (name: string, key: string): EnvEntries => {
    const value = maybe(key);
    return value ? [[name, value]] : [];
  };
  switch (service.id) {
    case 'postgresql':
      return [...tz, ['POSTGRES_USER', 'postgres'], ['POSTGRES_PASSWORD', need('postgresql.superuserPassword')], ['POSTGRES_DB', 'postgres']];
    case 'redis':
      // redis-cli reads REDISCLI_AUTH, so the health check needs no password on its command line.
      return [...tz, ['REDISCLI_AUTH', need('redis.password')]];
    case 'qdrant':
      return [...tz, ['QDRANT__SERVICE__API_KEY', need('qdrant.apiKey')]];
    case 'n8n':
      return [
        ...tz,
        ['GENERIC_TIMEZONE', profile.locale.timezone],
        ['DB_TYPE', 'postgresdb'],
        ['DB_POSTGRESDB_HOST', 'postgresql'],
        ['DB_POSTGRESDB_PORT', '5432'],
        ['DB_POSTGRESDB_DATABASE', 'n8n'],
        ['DB_POSTGRESDB_USER', 'n8n'],
        ['DB_POSTGRESDB_PASSWORD', need('n8n.dbPassword')],
        ['N8N_ENCRYPTION_KEY', need('n8n.encryptionKey')],
        ['N8N_HOST', url ?? '0.0.0.0'],
        ['N8N_PORT', '5678'],
        ['N8N_PROTOCOL', 'https'],
        // Caddy is the one proxy in front: n8n takes the client address from X-Forwarded-For.
        ['N8N_PROXY_HOPS', '1'],
        // The public addresses n8n prints for webhooks and links: its site, when it has one.
        ...(url !== undefined ? ([['WEBHOOK_URL', `https://${url}/`], ['N8N_EDITOR_BASE_URL', `https://${url}/`]] as EnvEntries) : []),
        // Code nodes run in a task runner n8n starts itself (2.x always runs them; N8N_RUNNERS_ENABLED is gone).
        ['N8N_RUNNERS_MODE', 'internal'],
        ['QUEUE_BULL_REDIS_HOST', 'redis'],
        ['QUEUE_BULL_REDIS_PASSWORD', need('redis.password')],
        ['EXECUTIONS_DATA_PRUNE', 'true'],
        ['EXECUTIONS_DATA_MAX_AGE', '168'],
      ];
    case 'litellm':
      return [
        ...tz,
        ['DATABASE_URL', pgUrl('litellm', need('litellm.dbPassword'), 'litellm')],
        ['STORE_MODEL_IN_DB', 'True'],
        ['LITELLM_MASTER_KEY', need('litellm.masterKey')],
        ['LITELLM_SALT_KEY', need('litellm.saltKey')],
        ['REDIS_HOST', 'redis'],
        ['REDIS_PORT', '6379'],
        ['REDIS_PASSWORD', need('redis.password')],
        ['UI_USERNAME', profile.admins.litellmUser],
        ['UI_PASSWORD', need('litellm.uiPassword')],
        ...optional('ANTHROPIC_API_KEY', 'anthropic.apiKey'),
        ...optional('OPENAI_API_KEY', 'openai.apiKey'),
        ...optional('OPENROUTER_API_KEY', 'openrouter.apiKey'),
        ...optional('GEMINI_API_KEY', 'gemini.apiKey'),
        ...optional('BYTEPLUS_API_KEY', 'byteplus.apiKey'),
      ];
    case 'openclaw':
      return [
        ...tz,
        ['OPENCLAW_GATEWAY_TOKEN', need('openclaw.gatewayToken')],
        ['OPENCLAW_CONFIG_PATH', OPENCLAW_CONFIG_PATH],
        ['LITELLM_API_KEY', need('litellm.masterKey')],
        ['NODE_OPTIONS', '--max-old-space-size=768'],
        ...optional('TELEGRAM_BOT_TOKEN', 'telegram.openclawBotToken'),
        ...optional(BRAVE_ENV, 'brave.apiKey'),
      ];
    case 'nocodb':
      return [
        ...tz,
        ['NC_DB', need('nocodb.dbPassword').map((p) => `pg://postgresql:5432?u=nocodb&p=${encodeURIComponent(p)}&d=nocodb`)],
        ['NC_AUTH_JWT_SECRET', need('nocodb.jwtSecret')],
        // Links NocoDB prints (invitations, shared views) point at its site; none without one.
        ...(url !== undefined ? ([['NC_PUBLIC_URL', `https://${url}`]] as EnvEntries) : []),
        ...nocodbToolDir(service),
        ['NC_DISABLE_TELE', 'true'],
        ...nocodbStorage(profile, need),
      ];
    case 'grafana':
      return [
        ...tz,
        ['GF_SECURITY_ADMIN_USER', profile.admins.grafanaUser],
        ['GF_SECURITY_ADMIN_PASSWORD', need('grafana.adminPassword')],
        ['GF_USERS_ALLOW_SIGN_UP', 'false'],
        ['GF_SERVER_ROOT_URL', `https://${url}/`],
      ];
    case 'couchdb':
      return [...tz, ['COUCHDB_USER', 'admin'], ['COUCHDB_PASSWORD', need('couchdb.adminPassword')]];
    default:
      return tz;
  }
}
