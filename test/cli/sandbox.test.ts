import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/profiles.js';

/** `homelab-wizard sandbox` refusals that need no Docker engine: each names the problem and what to do, exit 1. */
const exec = promisify(execFile);
const BIN = path.join(REPO, 'bin/homelab-wizard.js');

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('homelab-wizard sandbox', () => {
  it('says Docker is missing, with the install hint, when there is no docker program', async () => {
    for (const sub of [['up'], ['list'], ['down']]) {
      const r = await cli(['sandbox', ...sub], { HLW_DOCKER: '/nonexistent/docker' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: the docker program \(\/nonexistent\/docker\) is not installed\n  hint: install Docker .*apt-get install docker\.io/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('says no engine answers when the docker program fails', async () => {
    const r = await cli(['sandbox', 'list'], { HLW_DOCKER: '/bin/false' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no Docker engine answers\n  hint: install Docker/);
  });

  it('refuses a bad --hosts, --subnet, or --hosts with --profile before touching Docker', async () => {
    const env = { HLW_DOCKER: '/nonexistent/docker' };
    expect((await cli(['sandbox', 'up', '--hosts', '0'], env)).stderr).toMatch(/^error: --hosts must be a whole number from 1 to 8, not '0'/);
    expect((await cli(['sandbox', 'up', '--hosts', 'two'], env)).code).toBe(1);
    expect((await cli(['sandbox', 'up', '--subnet', '10.0.0.0'], env)).stderr).toMatch(/^error: --subnet must be an IPv4 range/);
    expect((await cli(['sandbox', 'up', '--profile', 'minimal', '--hosts', '2'], env)).stderr).toMatch(/^error: --hosts and --profile cannot be combined/);
  });

  it('refuses --acme without --profile, and an --acme file with a bad field, naming it, before touching Docker', async () => {
    const env = { HLW_DOCKER: '/nonexistent/docker' };
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-acme-'));
    try {
      expect((await cli(['sandbox', 'up', '--acme', 'x.yaml'], env)).stderr).toMatch(/^error: --acme needs --profile/);
      const file = path.join(dir, 'acme.yaml');
      writeFileSync(file, 'directory: ftp://203.0.113.5/dir\nroots: roots.pem\n');
      const bad = await cli(['sandbox', 'up', '--profile', 'minimal', '--acme', file], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error: --acme .*acme\.yaml: directory must start with https:\/\//);
      writeFileSync(file, 'directory: https://203.0.113.5:14000/dir\nroots: roots.pem\n');
      expect((await cli(['sandbox', 'up', '--profile', 'minimal', '--acme', file], env)).stderr).toMatch(/roots names roots\.pem, which cannot be read/);
      writeFileSync(path.join(dir, 'roots.pem'), '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n');
      expect((await cli(['sandbox', 'up', '--profile', 'minimal', '--acme', file], env)).stderr).toMatch(/roots certificate 1 is not a valid PEM certificate/);
      writeFileSync(file, 'directory: https://203.0.113.5:14000/dir\nroots: roots.pem\nsurprise: 1\n');
      expect((await cli(['sandbox', 'up', '--profile', 'minimal', '--acme', file], env)).stderr).toMatch(/^error: --acme .*: \(top level\) Unrecognized key: "surprise"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an --ssh-key that is not a public key', async () => {
    // A docker program that answers `info`: the key is checked after the engine.
    const r = await cli(['sandbox', 'up', '--ssh-key', 'package.json'], { HLW_DOCKER: path.join(REPO, 'test/helpers/fake-docker-info.sh') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--ssh-key: .*package\.json is not an OpenSSH public key file/);
  });
});
