import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/contracts/global-options.js';
import { prepareEngine } from '../../src/session/engine-setup.js';
import { loadTemplates } from '../../src/session/load-templates.js';
import { WizardError } from '../../src/errors.js';
import { isSecret } from '../../src/lib/secret.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import type { Plan } from '../../src/plan/plan.js';
import { validateLoaded } from '../../src/profile/load.js';
import { BUILTIN_TEMPLATES } from '../../src/render/templates.js';
import { missingSecrets } from '../../src/vault/generate.js';
import { createVault } from '../../src/vault/vault.js';
import { captureIo } from '../helpers/io.js';
import { REPO } from '../helpers/profiles.js';
import { removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';

afterAll(removeTempProjects);

function put(p: TempProject, name: string, text: string): string {
  const file = path.join(p.dir, 'templates', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const global = (p: TempProject): GlobalOptions => ({ dir: p.dir, profile: 'p', json: false, verbose: false, yes: false, nonInteractive: true });

async function withVault(): Promise<TempProject> {
  const p = await tempProject('p');
  const raw = parse(readFileSync(path.join(p.dir, 'profiles/p.yaml'), 'utf8')) as Record<string, unknown>;
  const profile = validateLoaded({ name: 'p', file: 'p.yaml', encrypted: false, text: '', raw });
  await createVault(p.dir, 'p', missingSecrets(profile, [], (n) => randomBytes(n)).map((s) => [s.key, s.value] as const), [p.publicKey]);
  return p;
}

const fileOf = (setup: Awaited<ReturnType<typeof prepareEngine>>, suffix: string): string => {
  const file = setup.work.flatMap((w) => w.steps.flatMap((s) => s.files ?? [])).find((f) => f.path.endsWith(suffix))!;
  return isSecret(file.content) ? file.content.reveal() : file.content;
};

describe('loadTemplates()', () => {
  it('uses the built-in templates when the project has no templates/ folder, or when it is the package itself', async () => {
    const p = await tempProject('p');
    expect(await loadTemplates(p.dir)).toEqual({ templates: BUILTIN_TEMPLATES, overrides: [] });
    // This repository's own templates/ (with the sandbox test bed) is the built-in set, not overrides.
    expect(await loadTemplates(REPO)).toEqual({ templates: BUILTIN_TEMPLATES, overrides: [] });
  });

  it('takes <dir>/templates/NAME.eta in place of the built-in one, ignoring files that are not templates', async () => {
    const p = await tempProject('p');
    const file = put(p, 'ssh/sshd-hardening.conf.eta', 'Port <%= it.port %>\n');
    put(p, 'ssh/notes.txt', 'not a template');
    const loaded = await loadTemplates(p.dir);
    expect(loaded.overrides).toEqual([{ template: 'ssh/sshd-hardening.conf.eta', file }]);
    expect(loaded.templates.get('ssh/sshd-hardening.conf.eta')).toEqual({ text: 'Port <%= it.port %>\n', override: file });
    expect(loaded.templates.get('caddy/Caddyfile.eta')).toBe(BUILTIN_TEMPLATES.get('caddy/Caddyfile.eta'));
  });

  it('refuses a .eta file that overrides nothing (a typo), naming it and the names that exist', async () => {
    const p = await tempProject('p');
    const file = put(p, 'caddy/Caddyfil.eta', '');
    const e = await loadTemplates(p.dir).catch((error: unknown) => error as WizardError);
    expect(e).toBeInstanceOf(WizardError);
    expect(e).toMatchObject({ code: 'template-unknown', message: `${file} overrides no template: homelab-wizard renders no templates/caddy/Caddyfil.eta` });
    expect((e as WizardError).hint).toContain('templates/caddy/Caddyfile.eta');
  });

  it('refuses an override with broken syntax before anything else runs, naming the file', async () => {
    const p = await tempProject('p');
    const file = put(p, 'fail2ban/jail.local.eta', '<% if (it.port { %>\n');
    await expect(loadTemplates(p.dir)).rejects.toMatchObject({ code: 'template-invalid', message: expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Bad template syntax`)) });
  });
});

describe('prepareEngine() with overrides', () => {
  it('builds the harden steps from an override and names it; an override the chosen phases do not render is not named', async () => {
    const p = await tempProject('p');
    const ssh = put(p, 'ssh/sshd-hardening.conf.eta', '# by hand\nPort <%= it.port %>\nAllowUsers <%= it.admin %>\n');
    put(p, 'caddy/Caddyfile.eta', '# mine\n');
    const setup = await prepareEngine(global(p), { only: 'harden', io: captureIo({ env: p.env, cwd: p.dir }) });
    expect(fileOf(setup, '00-homelab-wizard.conf')).toBe('# by hand\nPort 2222\nAllowUsers deploy\n');
    expect(setup.templateOverrides).toEqual([{ template: 'ssh/sshd-hardening.conf.eta', file: ssh }]);
  });

  it('renders the Caddyfile and redis.conf of a release from overrides', async () => {
    const p = await withVault();
    put(p, 'caddy/Caddyfile.eta', '# <%= it.project %>: <% for (const s of it.sites) { %><%= s.address %> <% } %>\n');
    put(p, 'redis/redis.conf.eta', 'requirepass <%= it.password %>\nmaxmemory 64mb\n');
    const setup = await prepareEngine(global(p), { only: 'deploy', io: captureIo({ env: p.env, cwd: p.dir }) });
    expect(fileOf(setup, 'config/caddy/Caddyfile')).toBe('# minimal: n8n.example.com \n');
    expect(fileOf(setup, 'config/redis/redis.conf')).toMatch(/^requirepass "[^"\n]+"\nmaxmemory 64mb\n$/);
    expect(setup.templateOverrides?.map((o) => o.template)).toEqual(['caddy/Caddyfile.eta', 'redis/redis.conf.eta']);
  });

  it('stops with the file and the unknown variable when an override uses one, before any host is reached', async () => {
    const p = await tempProject('p');
    const file = put(p, 'sysctl/hardening.conf.eta', '<% for (const s of it.settings) { %><%= s.key %>=<%= s.val %>\n<% } %>');
    const e = await prepareEngine(global(p), { only: 'harden', io: captureIo({ env: p.env, cwd: p.dir }) }).catch((error: unknown) => error as WizardError);
    expect(e).toBeInstanceOf(WizardError);
    expect(e).toMatchObject({ code: 'template-invalid', message: `${file}: line 1: it.settings.0.val is not a variable of this template`, exitCode: 1 });
  });

  it('does not read templates/ for phases that write no configuration files (smoke keeps working while one is broken)', async () => {
    const p = await tempProject('p');
    put(p, 'ssh/sshd-hardening.conf.eta', '<% if ( %>');
    const setup = await prepareEngine(global(p), { only: 'smoke', io: captureIo({ env: p.env, cwd: p.dir }) });
    expect(setup.templateOverrides).toEqual([]);
    await expect(prepareEngine(global(p), { only: 'harden', io: captureIo({ env: p.env, cwd: p.dir }) })).rejects.toMatchObject({ code: 'template-invalid' });
  });
});

describe('the plan text', () => {
  it('names each override in use first, relative to the current folder when it is inside', () => {
    const plan: Plan = { format: 'homelab-wizard-plan', version: 1, profile: 'p', project: 'p', phases: ['harden'], createdAt: '', hosts: [], templateOverrides: [{ template: 'ssh/sshd-hardening.conf.eta', file: '/work/lab/templates/ssh/sshd-hardening.conf.eta' }] };
    expect(renderPlanText(plan, { cwd: '/work/lab' })).toBe('template override: templates/ssh/sshd-hardening.conf.eta (from ./templates/ssh/sshd-hardening.conf.eta)\n\nPlan: 0 to add, 0 to change, 0 to destroy, 0 unchanged.\n');
    expect(renderPlanText(plan, { cwd: '/elsewhere' })).toContain('(from /work/lab/templates/ssh/sshd-hardening.conf.eta)');
  });
});
