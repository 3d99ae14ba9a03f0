import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/main.js';
import { captureIo } from '../helpers/io.js';
import { exampleProfile, REPO } from '../helpers/profiles.js';

const exec = promisify(execFile);
const BIN = path.join(REPO, 'bin/homelab-wizard.js');

async function cli(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function projectWith(profiles: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-cli-'));
  mkdirSync(path.join(dir, 'profiles'));
  for (const [name, doc] of Object.entries(profiles)) writeFileSync(path.join(dir, 'profiles', `${name}.yaml`), typeof doc === 'string' ? doc : stringify(doc));
  return dir;
}

describe('the installed command (bin → dist)', () => {
  it('lists the commands in --help and exits 0', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/profile\s+validate and inspect the profile/);
    expect(stdout).toMatch(/catalog\s+the service catalogue/);
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect((await cli(['--version'])).stdout.trim()).toBe(pkg.version);
  });

  it('accepts both example profiles', async () => {
    expect((await cli(['profile', 'check', '--profile', 'vpai'])).code).toBe(0);
    expect((await cli(['profile', 'check', '--profile', 'minimal'])).code).toBe(0);
  });

  it('names all five paths of a profile with five mistakes, exit 1, no stack trace', async () => {
    const bad = exampleProfile('minimal');
    bad.project.name = 'My Project';
    bad.domain.name = 'localhost';
    bad.hosts[0].ssh.targetPort = 99999;
    bad.hosts[0].services.push('plex');
    bad.notifications.email = 'not-an-email';
    const dir = projectWith({ broken: bad });
    const { code, stderr } = await cli(['profile', 'check'], dir);
    expect(code).toBe(1);
    for (const p of ['project.name', 'domain.name', 'hosts[0].ssh.targetPort', 'hosts[0].services[8]', 'notifications.email']) expect(stderr).toContain(`${p}:`);
    expect(stderr).toMatch(/^error: .*5 problems found/m);
    expect(stderr).toMatch(/hint: /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('lists every catalogue service with a pinned version as JSON', async () => {
    const { code, stdout } = await cli(['catalog', 'list', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { id: string; version: string }[];
    expect(rows).toHaveLength(22);
    for (const row of rows) expect(row.version, row.id).not.toBe('');
  });
});

describe('commands in-process', () => {
  it('reports YAML syntax errors with their line, exit 1', async () => {
    const dir = projectWith({ syntax: 'schemaVersion: 1\nproject: [unclosed\n' });
    const io = captureIo({ cwd: dir });
    expect(await run(['profile', 'check'], io)).toBe(1);
    expect(io.err()).toMatch(/line \d+:/);
  });

  it('asks for --profile when there are several, and names them', async () => {
    const dir = projectWith({ alpha: exampleProfile('minimal'), beta: exampleProfile('minimal') });
    const io = captureIo({ cwd: dir });
    expect(await run(['profile', 'check'], io)).toBe(1);
    expect(io.err()).toContain('2 profiles in');
    expect(io.err()).toContain('hint: choose one with --profile NAME');
  });

  it('takes --dir and --profile after the subcommand too', async () => {
    const dir = projectWith({ home: exampleProfile('minimal') });
    const io = captureIo({ cwd: '/' });
    expect(await run(['profile', 'check', '--dir', dir, '--profile', 'home', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ valid: true, profile: 'home', hosts: 1 });
  });

  it('prints machine-readable problems with --json', async () => {
    const bad = exampleProfile('minimal');
    bad.hosts[0].role = 'nas';
    const io = captureIo({ cwd: projectWith({ broken: bad }) });
    expect(await run(['profile', 'check', '--json'], io)).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ valid: false, issues: [{ path: 'hosts[0].role' }] });
  });

  it('shows the effective profile with defaults and resolved services', async () => {
    const io = captureIo({ cwd: projectWith({ home: exampleProfile('minimal') }) });
    expect(await run(['profile', 'show', '--json'], io)).toBe(0);
    const shown = JSON.parse(io.out());
    expect(shown.access.mode).toBe('public');
    expect(shown.deploy.keepReleases).toBe(5);
    expect(shown.hosts[0].services.find((s: { id: string }) => s.id === 'n8n')).toMatchObject({ image: 'docker.n8n.io/n8nio/n8n:2.7.3', subdomain: 'n8n' });
  });

  it('rejects an unknown command and an unknown flag with a hint, exit 1', async () => {
    const io = captureIo();
    expect(await run(['deploy-everything'], io)).toBe(1);
    expect(io.err()).toMatch(/unknown command 'deploy-everything'\n  hint: /);
    const io2 = captureIo();
    expect(await run(['catalog', 'list', '--frobnicate'], io2)).toBe(1);
    expect(io2.err()).toMatch(/unknown option '--frobnicate'/);
  });

  it('prints the JSON Schema of profiles', async () => {
    const io = captureIo();
    expect(await run(['profile', 'schema'], io)).toBe(0);
    const schema = JSON.parse(io.out());
    expect(schema.properties.hosts.items.properties.role.enum).toEqual(['ai-server', 'vpn-hub', 'workstation', 'app-server']);
  });

  it('keeps profiles/homelab-wizard.schema.json identical to `profile schema`', async () => {
    const io = captureIo();
    await run(['profile', 'schema'], io);
    expect(readFileSync(path.join(REPO, 'profiles/homelab-wizard.schema.json'), 'utf8')).toBe(io.out());
  });
});

describe('output to a closed pipe', () => {
  it('ends quietly when the reader goes away (`--help | head`): no EPIPE stack trace', async () => {
    // `exec` + `sleep` keep the writer running after head has gone, so the pipe is really closed.
    const { stdout, stderr } = await exec('sh', ['-c', `'${process.execPath}' '${BIN}' catalog list --help | head -c 1; '${process.execPath}' '${BIN}' --help | (exec head -c 5)`], { env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout.length).toBe(6);
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
  });
});
