import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/profiles.js';

/** scripts/inline-remote.mjs on a folder of its own: what it writes, and what it refuses. */
let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function generate(files: Record<string, string>): { code: number; stderr: string; out: string } {
  dir = mkdtempSync(path.join(tmpdir(), 'hlw-inline-remote-'));
  mkdirSync(path.join(dir, 'lib'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const out = path.join(dir, 'out.ts');
  const r = spawnSync('node', [path.join(REPO, 'scripts/inline-remote.mjs'), '--src', dir, '--out', out], { encoding: 'utf8' });
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // nothing written
  }
  return { code: r.status ?? -1, stderr: r.stderr, out: text };
}

const value = (out: string, name: string): string => JSON.parse(new RegExp(`^export const ${name} = (.*);$`, 'm').exec(out)?.[1] ?? 'null') as string;

describe('inline-remote: src/remote/*.sh into one module of named strings', () => {
  it('prepends the libraries a script uses, their own first, each once, without the headers', () => {
    const r = generate({
      'lib/base.sh': '# base\n#\n# base_fn: says base\nbase_fn() { echo base; }\n',
      'lib/mid.sh': '# mid\n# uses: base\n#\n# mid_fn: base, then mid\nmid_fn() { base_fn; echo mid; }\n',
      'do-it.sh': '# Does it.\n# uses: mid base\n#\n#   $1  what\n\n# shellcheck disable=SC2086\nmid_fn $1\n',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(value(r.out, 'DO_IT')).toBe('base_fn() { echo base; }\nmid_fn() { base_fn; echo mid; }\n# shellcheck disable=SC2086\nmid_fn $1');
    expect(value(r.out, 'LIB_MID')).toBe('base_fn() { echo base; }\nmid_fn() { base_fn; echo mid; }');
    expect(r.out).toContain('{ name: "DO_IT", file: ');
  });

  it('refuses a script without a header, with an undocumented argument, or using a library that is not there', () => {
    expect(generate({ 'a.sh': 'echo "$1"\n' }).stderr).toMatch(/a\.sh: no header comment/);
    const undocumented = generate({ 'b.sh': '# B.\n#   $1  one\necho "$1" "$2"\n' });
    expect(undocumented.code).toBe(1);
    expect(undocumented.stderr).toMatch(/b\.sh: the header does not document \$2/);
    expect(generate({ 'c.sh': '# C.\n# uses: nowhere\necho c\n' }).stderr).toMatch(/c\.sh: uses nowhere, but there is no .*lib\/nowhere\.sh/);
    expect(generate({ 'lib/x.sh': '# x\n# uses: y\nx() { :; }\n', 'lib/y.sh': '# y\n# uses: x\ny() { :; }\n' }).stderr).toMatch(/in a circle/);
  });
});
