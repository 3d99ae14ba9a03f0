import { describe, expect, it } from 'vitest';
import { ALPHABETS, generateValue, missingGenerated, missingRequired, missingSecrets, profileSecrets, type RandomSource } from '../../src/vault/generate.js';
import type { Profile } from '../../src/profile/schema.js';
import { externalSecretsFor } from '../../src/commands/init-catalog.js';
import { validExample } from '../helpers/profiles.js';

/** A stand-in random source that returns the given bytes in order, then fails. */
function fakeRandom(bytes: number[]): RandomSource {
  let at = 0;
  return (n) => {
    if (at >= bytes.length) throw new Error('fake random source exhausted');
    const out = Uint8Array.from(bytes.slice(at, at + n));
    at += n;
    return out;
  };
}

/** A stand-in that counts bytes 0, 1, 2, ... forever (mod 256). */
function countingRandom(): RandomSource {
  let next = 0;
  return (n) => Uint8Array.from({ length: n }, () => next++ % 256);
}

const profile = (mutate?: (p: Record<string, any>) => void): Profile => validExample('minimal', mutate);

describe('secret generation', () => {
  it('uses the prefix, the length and the alphabet of the policy', () => {
    const value = generateValue({ length: 48, alphabet: 'hex', prefix: 'sk-' }, countingRandom());
    expect(value).toMatch(/^sk-[0-9a-f]{48}$/);
    expect(generateValue({ length: 32, alphabet: 'alnum' }, countingRandom())).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generateValue({ length: 40, alphabet: 'base64url' }, countingRandom())).toMatch(/^[A-Za-z0-9_-]{40}$/);
  });

  it("draws again until a value has every class the policy's mustHave asks for (n8n's password rules)", () => {
    // alnum: byte 0 → 'A', 26 → 'a', 52 → '0'. The first value has no digit; the second has all three.
    const bytes = [0, 26, 0, ...Array(9).fill(0), 0, 26, 52, ...Array(20).fill(0)];
    const policy = { length: 3, alphabet: 'alnum', mustHave: ['digit', 'upper', 'lower'] } as const;
    expect(generateValue({ length: 3, alphabet: 'alnum' }, fakeRandom(bytes))).toBe('AaA');
    expect(generateValue(policy, fakeRandom(bytes))).toBe('Aa0');
    // The catalogue's policy for n8n's owner always satisfies n8n 2.7 (8-64 characters, a digit, an upper-case letter).
    const spec = profileSecrets(profile((p) => (p.hosts[0].services = ['docker', 'caddy', 'postgresql', 'redis', 'n8n']))).find((s) => s.spec.key === 'n8n.ownerPassword')!.spec;
    const random = countingRandom();
    for (let i = 0; i < 200; i++) expect(generateValue(spec.generate!, random)).toMatch(new RegExp(spec.shape!.pattern));
  });

  it('skips bytes at or above the largest multiple of the alphabet size (no modulo bias)', () => {
    // alnum has 62 characters: 248 = 4 * 62 is the limit; 248..255 must be rejected, not folded onto A..H.
    expect(generateValue({ length: 3, alphabet: 'alnum' }, fakeRandom([248, 255, 0, 250, 61, 247, ...Array(20).fill(1)]))).toBe('A99');
  });

  it('gives every alphabet character the same chance over a full cycle of bytes', () => {
    const counts = new Map<string, number>();
    const random = countingRandom();
    // 248 usable bytes per 256: each of the 62 characters exactly 4 times per cycle.
    const value = generateValue({ length: 248 * 10, alphabet: 'alnum' }, random);
    for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(new Set(counts.values())).toEqual(new Set([40]));
    expect(ALPHABETS.alnum).toHaveLength(62);
  });

  it('fails loudly when the random source only returns unusable bytes', () => {
    expect(() => generateValue({ length: 4, alphabet: 'alnum' }, () => new Uint8Array(64).fill(255))).toThrow(/unusable bytes/);
  });

  it('generates the missing secrets of every enabled service, and never an existing one', () => {
    const p = profile();
    const all = missingSecrets(p, [], countingRandom());
    expect(all.map((s) => s.key).sort()).toEqual(['n8n.dbPassword', 'n8n.encryptionKey', 'n8n.ownerPassword', 'postgresql.superuserPassword', 'redis.password']);
    expect(all.find((s) => s.key === 'n8n.encryptionKey')?.service).toBe('n8n');
    expect(String(all[0]?.value)).toBe('[redacted]');
    const rest = missingSecrets(p, ['n8n.encryptionKey', 'redis.password'], countingRandom());
    expect(rest.map((s) => s.key)).not.toContain('n8n.encryptionKey');
    expect(rest).toHaveLength(3);
    expect(missingGenerated(p, all.map((s) => s.key))).toEqual([]);
  });

  it('adds the secrets of the profile features: Hetzner, OVH, Telegram, backups', () => {
    const p = profile((raw) => {
      raw.hosts[0].provider = { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-13' };
      raw.domain.dnsProvider = 'ovh';
      raw.notifications = { method: 'telegram', telegram: { chatId: '123456' } };
      raw.backups = { enabled: true, s3: { endpoint: 'fsn1.your-objectstorage.com', region: 'fsn1', bucket: 'backups' } };
    });
    const keys = profileSecrets(p).map((s) => s.spec.key);
    for (const k of ['hetzner.token', 'ovh.applicationKey', 'telegram.monitoringBotToken', 's3.accessKey']) expect(keys).toContain(k);
    expect(missingRequired(p, ['hetzner.token']).map((s) => s.spec.key)).not.toContain('hetzner.token');
    expect(missingRequired(p, []).map((s) => s.spec.key)).toContain('hetzner.token');
  });

  it("requires the S3 keys where NocoDB keeps attachments in the shared bucket, even with backups off", () => {
    const s3 = { endpoint: 'fsn1.your-objectstorage.com', region: 'fsn1', bucket: 'backups', sharedBucket: 'shared' };
    const required = (mutate: (raw: Record<string, any>) => void): string[] =>
      missingRequired(profile(mutate), []).map((s) => s.spec.key).filter((k) => k.startsWith('s3.')).sort();
    const withNocodb = (raw: Record<string, any>): void => {
      raw.hosts[0].services = ['docker', 'caddy', 'postgresql', 'nocodb'];
    };
    expect(required((raw) => { withNocodb(raw); raw.backups = { enabled: false, s3 }; })).toEqual(['s3.accessKey', 's3.secretKey']);
    // No shared bucket, or no NocoDB to use it: nothing asks for the keys while backups are off.
    expect(required((raw) => { withNocodb(raw); raw.backups = { enabled: false, s3: { ...s3, sharedBucket: undefined } }; })).toEqual([]);
    expect(required((raw) => { raw.backups = { enabled: false, s3 }; })).toEqual([]);
    expect(missingRequired(profile((raw) => { withNocodb(raw); raw.backups = { enabled: false, s3 }; }), ['s3.accessKey', 's3.secretKey']).map((s) => s.spec.key)).not.toContain('s3.accessKey');
  });

  it("asks the wizard's operator for the S3 keys when NocoDB uses the shared bucket (the draft, before it is a profile)", () => {
    const draft = { hosts: [{ name: 'vps', services: ['docker', 'postgresql', 'nocodb'] }], backups: { enabled: false, s3: { sharedBucket: 'shared' } } };
    expect(externalSecretsFor(draft).map((s) => s.key)).toEqual(['s3.accessKey', 's3.secretKey']);
    expect(externalSecretsFor({ ...draft, hosts: [{ name: 'vps', services: ['docker', 'postgresql'] }] }).map((s) => s.key)).toEqual([]);
  });

  it("requires a model provider's key only once a LiteLLM model uses that provider", () => {
    const p = profile((raw) => {
      raw.hosts[0].services.push('litellm');
      raw.litellm = { models: [{ alias: 'mini', provider: 'openai', model: 'gpt-4o-mini' }, { alias: 'flash', provider: 'gemini', model: 'gemini-2.5-flash' }] };
    });
    const keys = profileSecrets(p).map((s) => s.spec.key);
    for (const k of ['anthropic.apiKey', 'openai.apiKey', 'openrouter.apiKey', 'gemini.apiKey', 'byteplus.apiKey']) expect(keys).toContain(k);
    expect(missingRequired(p, []).map((s) => s.spec.key).filter((k) => k.endsWith('.apiKey')).sort()).toEqual(['gemini.apiKey', 'openai.apiKey']);
    expect(missingRequired(p, ['gemini.apiKey', 'openai.apiKey']).map((s) => s.spec.key).filter((k) => k.endsWith('.apiKey'))).toEqual([]);
  });
});
