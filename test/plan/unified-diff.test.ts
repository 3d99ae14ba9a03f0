import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/plan/unified-diff.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hlw-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GNU diff -u's hunks for the same texts (headers dropped: they carry file names and times). */
function gnuHunks(before: string, after: string): string {
  writeFileSync(path.join(dir, 'a'), before);
  writeFileSync(path.join(dir, 'b'), after);
  try {
    execFileSync('diff', ['-u', path.join(dir, 'a'), path.join(dir, 'b')], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout.split('\n').slice(2).join('\n');
  }
}

const ours = (before: string, after: string): string => unifiedDiff(before, after, { before: 'a', after: 'b' }).split('\n').slice(2).join('\n');

/** A small deterministic generator, so the cases are varied but the same on every run. */
function lines(seed: number, count: number): string[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return `line ${x % 7}`;
  });
}

describe('unifiedDiff()', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\n', 'a\n', { before: 'x', after: 'y' })).toBe('');
  });

  it('labels both sides', () => {
    expect(unifiedDiff('a\n', 'b\n', { before: '/etc/x (on the host)', after: '/etc/x (planned)' })).toBe('--- /etc/x (on the host)\n+++ /etc/x (planned)\n@@ -1 +1 @@\n-a\n+b\n');
  });

  const cases: [string, string, string][] = [
    ['one line changed in the middle', 'a\nb\nc\nd\ne\nf\ng\nh\ni\n', 'a\nb\nc\nd\nX\nf\ng\nh\ni\n'],
    ['lines added at the end', 'a\nb\n', 'a\nb\nc\nd\n'],
    ['everything removed', 'a\nb\nc\n', ''],
    ['two changes far apart', Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n') + '\n', Array.from({ length: 30 }, (_, i) => (i === 2 || i === 25 ? `L${i}` : `l${i}`)).join('\n') + '\n'],
    ['two changes close together', 'a\nb\nc\nd\ne\nf\ng\n', 'a\nB\nc\nd\ne\nF\ng\n'],
  ];
  it.each(cases)('matches GNU diff -u: %s', (_name, before, after) => {
    expect(ours(before, after)).toBe(gnuHunks(before, after));
  });

  it('matches GNU diff -u on generated edits in its line counts and content', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const before = `${lines(seed, 25).join('\n')}\n`;
      const after = `${lines(seed * 7 + 3, 22).join('\n')}\n`;
      const mine = ours(before, after).split('\n');
      const gnu = gnuHunks(before, after).split('\n');
      // An LCS is not unique, so hunks may pair lines differently; what is removed and added must agree in number.
      const count = (out: string[], sign: string): number => out.filter((l) => l.startsWith(sign)).length;
      expect(count(mine, '-'), `seed ${seed}`).toBe(count(gnu, '-'));
      expect(count(mine, '+'), `seed ${seed}`).toBe(count(gnu, '+'));
    }
  });

  it('says so when only the final newline differs', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', { before: 'x', after: 'y' })).toContain('only the newline at the end');
  });
});
