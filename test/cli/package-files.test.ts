import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_NAMES } from '../../src/render/templates.js';
import { REPO } from '../helpers/profiles.js';

describe('the npm package', () => {
  it('ships every file under profiles/ that the README points users to', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    const packed = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path));
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const named = [...new Set(readme.match(/profiles\/[a-z0-9.-]+\.(?:yaml|json)\b/g) ?? [])].filter((p) => existsSync(path.join(REPO, p)));
    expect(named).toEqual(expect.arrayContaining(['profiles/vpai.yaml', 'profiles/minimal.yaml', 'profiles/homelab-wizard.schema.json']));
    for (const file of named) expect(packed.has(file), `${file} is not in the package`).toBe(true);
  });

  it('ships every built-in template, the files users copy to override one', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    const packed = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path));
    for (const name of TEMPLATE_NAMES) expect(packed.has(`templates/${name}`), `templates/${name} is not in the package`).toBe(true);
  });
});
