import { describe, expect, it } from 'vitest';
import { ageShape, armorLooksTruncated, describeRecipients, readAgeHeader } from '../../src/vault/age-header.js';

const enc = (s: string) => new TextEncoder().encode(s);
const HEADER = 'age-encryption.org/v1\n-> X25519 abc\nYm9keQ\n-> X25519 def\nYm9keQ\n-> piv-p256 x y\nYm9keQ\n--- bWFj\n';

describe('age header reading', () => {
  it('tells armored, binary, empty and foreign files apart', () => {
    expect(ageShape(enc('-----BEGIN AGE ENCRYPTED FILE-----\nYWJj\n-----END AGE ENCRYPTED FILE-----\n'))).toBe('armored');
    expect(ageShape(enc('\n  -----BEGIN AGE ENC'))).toBe('armored');
    expect(ageShape(enc(HEADER))).toBe('binary');
    expect(ageShape(enc('age-encr'))).toBe('binary');
    expect(ageShape(enc(''))).toBe('empty');
    expect(ageShape(enc(' \n\t'))).toBe('empty');
    expect(ageShape(enc('api.token: s3cr3t\n'))).toBe('not-age');
    expect(ageShape(enc('-----BEGIN PGP MESSAGE-----'))).toBe('not-age');
  });

  it('sees a missing END line as truncation', () => {
    expect(armorLooksTruncated('-----BEGIN AGE ENCRYPTED FILE-----\nYWJj\n')).toBe(true);
    expect(armorLooksTruncated('-----BEGIN AGE ENCRYPTED FILE-----\nYWJj\n-----END AGE ENCRYPTED FILE-----\n\n')).toBe(false);
  });

  it('counts recipient stanzas by type', () => {
    const reading = readAgeHeader(enc(`${HEADER}payload-bytes`));
    expect(reading).toEqual({ ok: true, header: { stanzaTypes: ['X25519', 'X25519', 'piv-p256'] } });
    if (reading.ok) expect(describeRecipients(reading.header)).toBe('3 recipients');
    expect(describeRecipients({ stanzaTypes: ['scrypt'] })).toBe('a passphrase');
    expect(describeRecipients({ stanzaTypes: ['X25519'] })).toBe('1 recipient');
  });

  it('reports cut and damaged headers', () => {
    expect(readAgeHeader(enc('age-encryption.org/v1\n-> X25519 abc\n'))).toMatchObject({ ok: false, truncated: true });
    expect(readAgeHeader(enc('age-encryption.org/v2\n--- x\n'))).toMatchObject({ ok: false, truncated: false });
    expect(readAgeHeader(enc('age-encryption.org/v1\n--- x\n'))).toMatchObject({ ok: false, reason: 'the header has no recipient stanza' });
    expect(readAgeHeader(enc('age-encryption.org/v1\n->  x\nab\n--- x\n'))).toMatchObject({ ok: false, reason: 'a recipient stanza has no type' });
    expect(readAgeHeader(enc(''))).toMatchObject({ ok: false, truncated: true });
  });
});
