import type { SecretSpec } from './types.js';

/**
 * Secrets that belong to a feature of the profile rather than to one service:
 * provider credentials, notification tokens, backup keys. Values come from the operator.
 */
export const EXTERNAL_SECRETS = {
  hetzner: [
    { key: 'hetzner.token', description: 'Hetzner Cloud API token (read and write)', required: true, shape: { pattern: '^[A-Za-z0-9]{64}$', example: '64 letters and digits' } },
  ],
  ovh: [
    { key: 'ovh.applicationKey', description: 'OVH application key', required: true, shape: { pattern: '^[A-Za-z0-9]{16}$', example: '16 letters and digits' } },
    { key: 'ovh.applicationSecret', description: 'OVH application secret', required: true, shape: { pattern: '^[A-Za-z0-9]{32}$', example: '32 letters and digits' } },
    { key: 'ovh.consumerKey', description: 'OVH consumer key (rights on /domain/zone/*)', required: true, shape: { pattern: '^[A-Za-z0-9]{32}$', example: '32 letters and digits' } },
  ],
  telegram: [
    {
      key: 'telegram.monitoringBotToken',
      description: 'Telegram bot token for alerts (from BotFather)',
      required: true,
      shape: { pattern: '^[0-9]{6,12}:[A-Za-z0-9_-]{30,}$', example: '123456789:AA…' },
    },
  ],
  webhook: [{ key: 'notifications.webhookUrl', description: 'webhook URL for alerts (it usually embeds a token)', required: true, shape: { pattern: '^https://\\S+$', example: 'https://hooks.example.com/…' } }],
  // One pair of S3 keys: backups (backups.s3.bucket) and NocoDB's attachments (backups.s3.sharedBucket).
  backups: [
    { key: 's3.accessKey', description: 'S3 access key (backups, NocoDB attachments)', required: true },
    { key: 's3.secretKey', description: 'S3 secret key (backups, NocoDB attachments)', required: true },
  ],
} as const satisfies Record<string, readonly SecretSpec[]>;

/**
 * Whether the profile needs the S3 keys: backups are on, or NocoDB keeps its attachments in the
 * shared bucket (its env file carries the keys even when backups are off). Takes the parsed
 * profile or the wizard's draft (both have this shape).
 */
export function needsS3Keys(profile: { backups?: { enabled?: unknown; s3?: { sharedBucket?: unknown } } }, serviceIds: readonly string[]): boolean {
  if (profile.backups?.enabled === true) return true;
  return serviceIds.includes('nocodb') && typeof profile.backups?.s3?.sharedBucket === 'string';
}
