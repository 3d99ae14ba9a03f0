import { execFile } from 'node:child_process';
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

  it('refuses an --ssh-key that is not a public key', async () => {
    // A docker program that answers `info`: the key is checked after the engine.
    const r = await cli(['sandbox', 'up', '--ssh-key', 'package.json'], { HLW_DOCKER: path.join(REPO, 'test/helpers/fake-docker-info.sh') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--ssh-key: .*package\.json is not an OpenSSH public key file/);
  });
});
