import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-process.js';
import { startSshd, type TestSshd, writeLoopbackProfile } from '../helpers/sshd.js';

/**
 * A user's template override seen through the built CLI, against our own sshd on loopback (as in
 * engine-commands.test.ts: the deploy phase only, deploy.root in a temp folder, so nothing outside
 * it is touched). The host README is a template (templates/host/README.eta) whose file has a fixed
 * path, so once applied, `plan` shows an override as a diff of that file.
 */
let sshd: TestSshd;
let base: string;
let project: string;
let remote: string;

const run = (args: string[]) => cli([...args, '--only', 'deploy'], { cwd: project, timeoutMs: 90_000 });
const readme = (): string => path.join(remote, 'lab', 'README');
const override = path.join('templates', 'host', 'README.eta');

function putOverride(text: string): void {
  mkdirSync(path.join(project, 'templates', 'host'), { recursive: true });
  writeFileSync(path.join(project, override), text);
}

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'hlw-templates-'));
  sshd = await startSshd();
  project = path.join(base, 'project');
  remote = path.join(base, 'remote');
  await writeLoopbackProfile(project, sshd, remote);
  const first = await run(['apply', '--accept-new-host-keys']);
  expect(first.code, first.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('a template override under <dir>/templates/', { timeout: 90_000 }, () => {
  it('plans no change and names no override while there is none', async () => {
    const r = await run(['plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('template override');
  });

  it('changes the rendered file in plan, which names the override (text and --json) and shows the diff', async () => {
    putOverride("Managed by homelab-wizard for <%= it.project %> on <%= it.host %>.\nAsk ops@example.com before changing anything in <%= it.projectDir %>.\n");
    const r = await run(['plan']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout.split('\n')[0]).toBe('template override: templates/host/README.eta (from ./templates/host/README.eta)');
    expect(r.stdout).toContain(`~ ${readme()}: content`);
    expect(r.stdout).toContain(`+Ask ops@example.com before changing anything in ${path.join(remote, 'lab')}.`);
    expect(r.stdout).toContain('-This folder is managed by homelab-wizard');

    const json = await cli(['plan', '--only', 'deploy', '--json'], { cwd: project, timeoutMs: 90_000 });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).templateOverrides).toEqual([{ template: 'host/README.eta', file: path.join(project, override) }]);
  });

  it('is what apply writes', async () => {
    const r = await run(['apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(readme(), 'utf8')).toBe(`Managed by homelab-wizard for lab on box.\nAsk ops@example.com before changing anything in ${path.join(remote, 'lab')}.\n`);
  });

  it('stops plan and apply with exit 1, naming the file and the unknown variable, when it uses a variable it does not get; nothing is written', async () => {
    putOverride('Managed for <%= it.owner %>.\n');
    const before = readFileSync(readme(), 'utf8');
    const out = path.join(base, 'saved-plan.json');
    for (const args of [['plan', '--out', out], ['apply']]) {
      const r = await run(args);
      expect(r.code, args[0]).toBe(1);
      expect(r.stderr).toContain(`${path.join(project, override)}: line 1: it.owner is not a variable of this template`);
      expect(r.stderr).toMatch(/or delete it to use the built-in templates\/host\/README\.eta/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(readme(), 'utf8')).toBe(before);
  });

  it('goes back to the built-in template when the file is removed', async () => {
    rmSync(path.join(project, 'templates'), { recursive: true });
    const r = await run(['plan']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).not.toContain('template override');
    expect(r.stdout).toContain('+This folder is managed by homelab-wizard');
  });
});
