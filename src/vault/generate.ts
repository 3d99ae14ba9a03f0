import { CATALOG } from '../catalog/catalog.js';
import { EXTERNAL_SECRETS, needsS3Keys } from '../catalog/external-secrets.js';
import type { SecretAlphabet, SecretSpec } from '../catalog/types.js';
import { Secret } from '../lib/secret.js';
import { serviceName } from '../profile/effective.js';
import { providerKeysNeeded } from '../profile/litellm-schema.js';
import type { Profile } from '../profile/schema.js';

/**
 * New secret values from the catalogue's policies. Pure: the random bytes come in as a function,
 * so tests can feed known bytes. Characters are drawn by rejection sampling: a byte is used only
 * when it falls below the largest multiple of the alphabet's size, so no character is more likely
 * than another (`byte % 62` alone would favour the first 8 characters).
 */
export type RandomSource = (byteCount: number) => Uint8Array;

export const ALPHABETS: Readonly<Record<SecretAlphabet, string>> = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
};

export type GeneratePolicy = NonNullable<SecretSpec['generate']>;

/** Bounded: a source that keeps returning rejected bytes is broken, not unlucky. */
const MAX_ROUNDS = 64;

const CLASSES = { digit: /[0-9]/, upper: /[A-Z]/, lower: /[a-z]/ } as const;

/**
 * A value of the policy; with `mustHave`, whole values are drawn until one has every class asked
 * for (rejection again: forcing a character in at a chosen place would make values guessable).
 */
export function generateValue(policy: GeneratePolicy, random: RandomSource): string {
  const classes = (policy.mustHave ?? []).map((c) => CLASSES[c]);
  for (let draw = 0; draw < MAX_ROUNDS; draw++) {
    const value = drawValue(policy, random);
    if (classes.every((c) => c.test(value))) return `${policy.prefix ?? ''}${value}`;
  }
  throw new Error(`the random source gave ${MAX_ROUNDS} values without ${policy.mustHave?.join(', ')}`);
}

function drawValue(policy: GeneratePolicy, random: RandomSource): string {
  const alphabet = ALPHABETS[policy.alphabet];
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  for (let round = 0; out.length < policy.length; round++) {
    if (round >= MAX_ROUNDS) throw new Error('the random source returned too many unusable bytes');
    // Ask for a little more than needed so one round almost always suffices.
    const bytes = random(Math.ceil((policy.length - out.length) * 1.25) + 8);
    for (const byte of bytes) {
      if (byte >= limit) continue;
      out += alphabet[byte % alphabet.length];
      if (out.length === policy.length) break;
    }
  }
  return out;
}

export function generateSecret(policy: GeneratePolicy, random: RandomSource): Secret {
  return Secret.of(generateValue(policy, random));
}

export interface KnownSecret {
  readonly spec: SecretSpec;
  /** The catalogue service that declares it; undefined for a feature's secret (provider tokens...). */
  readonly service?: string;
}

const byKey = new Map<string, KnownSecret>();
for (const entry of CATALOG) for (const spec of entry.secrets) if (!byKey.has(spec.key)) byKey.set(spec.key, { spec, service: entry.id });
for (const specs of Object.values(EXTERNAL_SECRETS)) for (const spec of specs as readonly SecretSpec[]) if (!byKey.has(spec.key)) byKey.set(spec.key, { spec });

/** What the catalogue knows about a vault key, if anything. */
export function knownSecret(key: string): KnownSecret | undefined {
  return byKey.get(key);
}

export function enabledServices(profile: Profile): string[] {
  return [...new Set(profile.hosts.flatMap((host) => host.services.map(serviceName)))];
}

/** Every secret the profile needs: its services' secrets and those of the features it uses. */
export function profileSecrets(profile: Profile): KnownSecret[] {
  const out = new Map<string, KnownSecret>();
  for (const id of enabledServices(profile)) {
    for (const spec of CATALOG.find((e) => e.id === id)?.secrets ?? []) if (!out.has(spec.key)) out.set(spec.key, { spec, service: id });
  }
  const features: (keyof typeof EXTERNAL_SECRETS)[] = [];
  if (profile.hosts.some((h) => h.provider.kind === 'hetzner')) features.push('hetzner');
  if (profile.domain.dnsProvider === 'ovh' || profile.domain.tls === 'acme-dns-ovh') features.push('ovh');
  if (profile.notifications.method === 'telegram') features.push('telegram');
  if (profile.notifications.method === 'webhook') features.push('webhook');
  if (needsS3Keys(profile, enabledServices(profile))) features.push('backups');
  for (const feature of features) for (const spec of EXTERNAL_SECRETS[feature] as readonly SecretSpec[]) if (!out.has(spec.key)) out.set(spec.key, { spec });
  return [...out.values()];
}

export interface GeneratedSecret {
  readonly key: string;
  readonly value: Secret;
  readonly service?: string;
  readonly description: string;
}

/** Generated secrets of the profile's services that the vault lacks (which ones, no values). */
export function missingGenerated(profile: Profile, existingKeys: Iterable<string>): KnownSecret[] {
  const existing = new Set(existingKeys);
  return profileSecrets(profile).filter(({ spec }) => spec.generate !== undefined && !existing.has(spec.key));
}

/**
 * New values for every generated secret of the profile's services that the vault lacks. Existing
 * keys are never touched: a value, once stored, is only replaced on purpose (`secrets rotate`).
 */
export function missingSecrets(profile: Profile, existingKeys: Iterable<string>, random: RandomSource): GeneratedSecret[] {
  return missingGenerated(profile, existingKeys).map(({ spec, service }) => ({
    key: spec.key,
    value: generateSecret(spec.generate as GeneratePolicy, random),
    description: spec.description,
    ...(service !== undefined ? { service } : {}),
  }));
}

/**
 * Secrets the operator must supply (no policy) that the profile requires and the vault lacks. A
 * model provider's key is optional until a LiteLLM model of the profile uses that provider.
 */
export function missingRequired(profile: Profile, existingKeys: Iterable<string>): KnownSecret[] {
  const existing = new Set(existingKeys);
  const models = enabledServices(profile).includes('litellm') ? new Set(providerKeysNeeded(profile.litellm)) : new Set<string>();
  return profileSecrets(profile).filter(({ spec }) => spec.generate === undefined && (spec.required === true || models.has(spec.key)) && !existing.has(spec.key));
}
