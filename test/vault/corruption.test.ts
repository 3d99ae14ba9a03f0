import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armor } from 'age-encryption';
import { Secret } from '../../src/lib/secret.js';
import { run } from '../../src/main.js';
import { createVault } from '../../src/vault/vault.js';
import { captureIo } from '../helpers/io.js';
import { removeTempProjects, tempProject } from '../helpers/vault.js';

afterAll(removeTempProjects);

const SECRET = 'pl41ntext-must-not-leak';

/** Damaged copies of a good vault: cut at many offsets, bytes flipped in the armor and in the raw file, and odd files. */
function variants(good: Buffer): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  const text = good.toString('latin1');
  const raw = Buffer.from(armor.decode(text));
  for (let at = 0; at < good.length; at += 7) out.push({ name: `armored cut at ${at}`, bytes: good.subarray(0, at) });
  for (let at = 40; at < good.length - 36; at += 9) {
    const copy = Buffer.from(good);
    const ch = String.fromCharCode(copy[at] as number);
    copy[at] = (ch === 'A' ? 'B' : ch === '\n' ? 'x' : 'A').charCodeAt(0);
    out.push({ name: `armored byte ${at} changed`, bytes: copy });
  }
  for (let at = 0; at < raw.length; at += 6) {
    const copy = Buffer.from(raw);
    copy[at] = (copy[at] as number) ^ (1 << (at % 8));
    out.push({ name: `raw bit flipped at ${at}`, bytes: Buffer.from(armor.encode(copy)) });
    if (at % 12 === 0) out.push({ name: `binary bit flipped at ${at}`, bytes: copy });
  }
  for (let at = 0; at < raw.length; at += 11) {
    out.push({ name: `raw cut at ${at}, re-armored`, bytes: at === 0 ? Buffer.alloc(0) : Buffer.from(armor.encode(raw.subarray(0, at))) });
    out.push({ name: `binary cut at ${at}`, bytes: raw.subarray(0, at) });
  }
  const lines = text.split('\n');
  out.push(
    { name: 'empty', bytes: Buffer.alloc(0) },
    { name: 'whitespace', bytes: Buffer.from(' \n\n\t') },
    { name: 'plaintext YAML', bytes: Buffer.from(`api.token: "${SECRET}"\n`) },
    { name: 'random bytes', bytes: Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 7919) % 256)) },
    { name: 'PGP armor', bytes: Buffer.from('-----BEGIN PGP MESSAGE-----\nabc\n-----END PGP MESSAGE-----\n') },
    { name: 'two armored files', bytes: Buffer.concat([good, good]) },
    { name: 'garbage after END', bytes: Buffer.concat([good, Buffer.from('trailing\n')]) },
    { name: 'lines swapped', bytes: Buffer.from([lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n')) },
    { name: 'a line removed', bytes: Buffer.from([...lines.slice(0, 3), ...lines.slice(4)].join('\n')) },
    { name: 'END line only', bytes: Buffer.from('-----END AGE ENCRYPTED FILE-----\n') },
    { name: 'header only', bytes: raw.subarray(0, raw.indexOf('---') + 4) },
    { name: 'version line only', bytes: Buffer.from('age-encryption.org/v1\n') },
    { name: 'NUL bytes', bytes: Buffer.alloc(600) },
    { name: 'wrong version', bytes: Buffer.from(armor.encode(Buffer.concat([Buffer.from('age-encryption.org/v2'), raw.subarray(21)]))) },
    { name: 'scrypt stanza with huge work factor', bytes: Buffer.from(armor.encode(Buffer.from(`age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA 40\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`))) },
    { name: 'X25519 stanza with a short share', bytes: Buffer.from(armor.encode(Buffer.from(`age-encryption.org/v1\n-> X25519 AAAA\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`))) },
  );
  return out;
}

describe('damaged vaults', () => {
  it('give a clean two-line error and exit 1, never a crash, and are left byte for byte as they were', { timeout: 30_000 }, async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', new Map([['api.token', Secret.of(SECRET)], ['n8n.dbPassword', Secret.of('another-secret-value')]]), [p.publicKey]);
    const file = path.join(p.dir, 'vault/p.age');
    const good = readFileSync(file);
    const all = variants(good);
    let failed = 0;
    const codes = new Map<string, number>();
    for (const variant of all) {
      writeFileSync(file, variant.bytes);
      const io = captureIo({ env: p.env, cwd: p.dir });
      const code = await run(['secrets', 'show', '--profile', 'p'], io);
      const err = io.err();
      expect(err, variant.name).not.toContain(SECRET);
      expect(io.out(), variant.name).not.toContain(SECRET);
      expect(readFileSync(file).equals(Buffer.from(variant.bytes)), `${variant.name}: file changed`).toBe(true);
      if (code === 0) {
        // Only harmless damage may still decrypt (a cut trailing newline): then it must read the real content.
        expect(io.out(), variant.name).toContain('api.token');
        continue;
      }
      failed++;
      expect(code, `${variant.name}: ${err}`).toBe(1);
      expect(err, variant.name).toMatch(/^error: .+\n(  .+\n)*  hint: .+\n$/);
      expect(err, variant.name).not.toMatch(/internal error|\n\s+at |TypeError|RangeError/);
      const what = /^error: (.*)$/m.exec(err)?.[1] ?? '';
      const kind = /not an age file|is empty|truncated|corrupted|text after its armor's END line|not encrypted to your key|passphrase/.exec(what)?.[0] ?? what;
      codes.set(kind, (codes.get(kind) ?? 0) + 1);
    }
    expect(failed).toBeGreaterThanOrEqual(200);
    // Each kind of damage is named.
    for (const kind of ['not an age file', 'is empty', 'truncated', 'corrupted']) expect(codes.get(kind), `${kind} in ${JSON.stringify([...codes])}`).toBeGreaterThan(0);
    expect([...codes.keys()].every((k) => /not an age file|is empty|truncated|corrupted|text after its armor's END line|not encrypted to your key|passphrase/.test(k)), JSON.stringify([...codes])).toBe(true);
  });
});
