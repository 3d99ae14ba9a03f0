import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-process.js';
import { readFileSync } from 'node:fs';
import { exampleProfile, REPO } from '../helpers/profiles.js';

/** A project folder with one profile file, written as given (text) or as YAML (object). */
export function projectWith(name: string, doc: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-check-'));
  mkdirSync(path.join(dir, 'profiles'));
  writeFileSync(path.join(dir, 'profiles', `${name}.yaml`), typeof doc === 'string' ? doc : stringify(doc));
  return dir;
}

describe('profile check (the built command)', () => {
  it('warns about a public server without a firewall, and still exits 0', async () => {
    const p = exampleProfile('minimal');
    p.hosts[0].services = p.hosts[0].services.filter((s: string) => s !== 'ufw' && s !== 'fail2ban');
    const dir = projectWith('open', p);
    const { code, stdout, stderr } = await cli(['profile', 'check'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid/);
    expect(stderr).toMatch(/warning: hosts\[0\]\.services: vps is a public server without a firewall/);
    const json = await cli(['profile', 'check', '--json'], { cwd: dir });
    // The example's e-mail notifications are not sent yet: profile check says that too.
    expect(JSON.parse(json.stdout).warnings.map((w: { path: string }) => w.path)).toEqual(['hosts[0].services', 'notifications.method']);
  });

  it('turns an alias bomb into the profile\'s own error naming the file, with no trace even under --verbose', async () => {
    const text = `${readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8')}x-a: &a "v"\n${Array.from({ length: 120 }, (_, i) => `x-r${i}: *a`).join('\n')}\n`;
    const dir = projectWith('bomb', text);
    const { code, stderr } = await cli(['profile', 'check', '--verbose'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: .*profiles\/bomb\.yaml: 1 problem found/);
    expect(stderr).toMatch(/at most 100 uses/);
    expect(stderr).not.toMatch(/internal error|this is a bug|    at /);
  });
});
