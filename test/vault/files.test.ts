import { describe, expect, it } from 'vitest';
import { identityFileText, parseIdentityText, publicKeyComment } from '../../src/vault/identity-file.js';
import { parseRecipients, recipientShapeProblem, recipientsFileText, withoutRecipient, withRecipient } from '../../src/vault/recipients-file.js';

// Shapes only (the checksums are checked by the age adapter, in vault.test.ts).
const R1 = `age1${'q'.repeat(58)}`;
const R2 = `age1${'p'.repeat(58)}`;
const K1 = `AGE-SECRET-KEY-1${'Q'.repeat(58)}`;

describe('recipients file', () => {
  it('reads keys, skips comments and blank lines, drops duplicates', () => {
    expect(parseRecipients(`# team\n${R1} # alice\n\n${R2}\n${R1}\n`)).toEqual({ recipients: [R1, R2], issues: [] });
  });

  it('names bad lines without echoing a private key', () => {
    const { issues } = parseRecipients(`${R1}\nage1pq1${'x'.repeat(60)}\n${K1}\nssh-ed25519 AAAA\nnonsense\n`);
    expect(issues.map((i) => i.path)).toEqual(['line 2', 'line 3', 'line 4', 'line 5']);
    expect(issues[0]?.message).toMatch(/post-quantum/);
    expect(issues[1]?.message).toMatch(/private key/);
    expect(JSON.stringify(issues)).not.toContain(K1);
    expect(recipientShapeProblem(R1)).toBeUndefined();
  });

  it('adds and removes keys and keeps the rest of the file as written', () => {
    const text = recipientsFileText([R1], 'p');
    expect(text).toMatch(/^# Recipients of vault\/p\.age/);
    const added = withRecipient(text, R2, 'bob\nlaptop');
    expect(added.endsWith(`${R2} # bob laptop\n`)).toBe(true);
    expect(parseRecipients(added).recipients).toEqual([R1, R2]);
    const removed = withoutRecipient(added, R1);
    expect(parseRecipients(removed).recipients).toEqual([R2]);
    expect(removed).toContain('# Recipients of vault/p.age');
  });
});

describe('identity file', () => {
  it('writes the age-keygen format and reads it back', () => {
    const text = identityFileText(K1, R1, '2026-11-25T19:40:00Z');
    expect(text).toBe(`# created: 2026-11-25T19:40:00Z\n# public key: ${R1}\n${K1}\n`);
    expect(parseIdentityText(text)).toEqual({ ok: true, keys: [K1] });
    expect(publicKeyComment(text)).toBe(R1);
  });

  it('refuses post-quantum, plugin and damaged lines by line number only', () => {
    const result = parseIdentityText(`AGE-SECRET-KEY-PQ-1ABC\nAGE-PLUGIN-YUBIKEY-1X\n${K1.slice(0, -2)}\n`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.path)).toEqual(['line 1', 'line 2', 'line 3']);
      expect(JSON.stringify(result.issues)).not.toContain(K1.slice(0, 30));
    }
    expect(parseIdentityText('# nothing\n')).toMatchObject({ ok: false });
    expect(parseIdentityText('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\n')).toEqual({ ok: false, issues: [{ path: '(file)', message: expect.stringMatching(/SSH private key/) }] });
  });
});
