import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { armor } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import { unarmor } from '../../src/vault/age.js';
import { restoreHint } from '../../src/vault/restore-hint.js';

const good = `${armor.encode(new TextEncoder().encode('age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\npayload'))}`;
const ctx = { file: 'vault/p.age', restoreHint: 'restore it from version control' };
const errorOf = (bytes: string): WizardError => {
  try {
    unarmor(Buffer.from(bytes), ctx);
  } catch (error) {
    return error as WizardError;
  }
  throw new Error('no error');
};

describe('what a damaged armored file is called', () => {
  it('text after the END line is named as such, not as a missing END line', () => {
    const error = errorOf(`${good}\nleftover from a merge\n`);
    expect(error.message).toBe("vault/p.age has text after its armor's END line");
    expect(error.hint).toMatch(/remove everything after the line -----END AGE ENCRYPTED FILE-----/);
  });

  it('a cut file is still called truncated', () => {
    expect(errorOf(good.slice(0, 60)).message).toMatch(/is truncated: its armor has no END line/);
  });

  it('the intact armor, with blank lines after it, still decodes', () => {
    expect(() => unarmor(Buffer.from(`${good}\n\n`), ctx)).not.toThrow();
  });
});

describe('the restore hint', () => {
  it('names <file>.bak only when there is one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-hint-'));
    const file = path.join(dir, 'p.age');
    writeFileSync(file, 'x');
    expect(restoreHint(file)).not.toMatch(/^restore it from \S*p\.age\.bak/);
    expect(restoreHint(file)).toMatch(/there is no .*p\.age\.bak/);
    writeFileSync(`${file}.bak`, 'x');
    expect(restoreHint(file)).toMatch(/restore it from .*p\.age\.bak or from version control/);
  });
});
