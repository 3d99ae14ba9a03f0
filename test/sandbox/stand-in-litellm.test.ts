import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLitellmConfig } from '../../src/render/litellm-config.js';
import { freePort } from '../helpers/sshd.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { REPO, validExample } from '../helpers/profiles.js';

/**
 * The LiteLLM proxy STAND-IN (templates/sandbox/stand-ins/litellm_stand_in.py) on this machine's
 * python3: it refuses to start from a configuration the real proxy would not load, and lists the
 * configured aliases behind the master key named by the configuration.
 */
const SCRIPT = path.join(REPO, 'templates/sandbox/stand-ins/litellm_stand_in.py');
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-litellm-stand-in-'));
const MASTER = 'sk-stand-in-test-master-key';
let server: ChildProcess | undefined;

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Runs the stand-in until it exits (a refusal) or 3 s pass (it started: killed, code null). */
function startOnly(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync('python3', [SCRIPT, '--host', '127.0.0.1', '--port', '0', ...args], { env: { ...process.env, LITELLM_MASTER_KEY: MASTER }, encoding: 'utf8', timeout: 3000 });
  return { code: r.status, stderr: r.stderr };
}


beforeAll(() => {
  ensureCommands({ python3: 'python3' });
  // PyYAML, which the stand-in image installs as python3-yaml (and the real proxy uses).
  if (spawnSync('python3', ['-c', 'import yaml']).status !== 0) {
    if (process.getuid?.() !== 0) throw new Error('missing the python3 yaml module: apt-get install -y python3-yaml');
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', 'python3-yaml'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
});

afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('LiteLLM stand-in', { timeout: 30_000 }, () => {
  it.each([
    ['no --config', () => [], /no --config FILE given/],
    ['a missing file', () => ['--config', path.join(dir, 'absent.yaml')], /Config file not found: .*absent\.yaml/],
    ['a file that is not YAML', () => ['--config', file('broken.yaml', 'model_list: [\n  - {model_name: x\n')], /is not valid YAML/],
    ['no model_list', () => ['--config', file('no-list.yaml', 'general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n')], /model_list is missing or not a list/],
    ['an entry without model_name', () => ['--config', file('no-name.yaml', 'model_list:\n  - litellm_params: { model: openai/gpt-4o-mini }\n')], /model_list\[0\] has no model_name/],
    ['an entry without litellm_params.model', () => ['--config', file('no-model.yaml', 'model_list:\n  - model_name: mini\n    litellm_params: { api_key: x }\n')], /model_list\[0\] \(mini\) has no litellm_params\.model/],
    ['a master key from an unset variable', () => ['--config', file('no-env.yaml', 'model_list: []\ngeneral_settings:\n  master_key: os.environ/NOT_SET_ANYWHERE_HLW\n')], /NOT_SET_ANYWHERE_HLW is not set/],
  ])('refuses to start with %s, saying why', (_what, args, reason) => {
    const r = startOnly(args());
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/litellm stand-in: refusing to start: /);
    expect(r.stderr).toMatch(reason);
  });

  it("starts from the tool's rendered config and lists exactly its aliases, only with the master key", async () => {
    const profile = validExample('vpai');
    const config = file('config.yaml', renderLitellmConfig(profile.litellm));
    const port = await freePort();
    server = spawn('python3', [SCRIPT, '--config', config, '--host', '127.0.0.1', '--port', String(port)], { env: { ...process.env, LITELLM_MASTER_KEY: MASTER }, stdio: 'ignore' });
    let live = 0;
    for (let i = 0; i < 50 && live !== 200; i += 1) {
      live = await fetch(`http://127.0.0.1:${port}/health/liveliness`).then((r) => r.status, () => 0);
      if (live !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(live).toBe(200);
    for (const route of ['/v1/models', '/models']) {
      const ok = await fetch(`http://127.0.0.1:${port}${route}`, { headers: { Authorization: `Bearer ${MASTER}` } });
      expect(ok.status).toBe(200);
      const ids = ((await ok.json()) as { data: { id: string }[] }).data.map((m) => m.id);
      expect(ids.sort()).toEqual(profile.litellm.models.map((m) => m.alias).sort());
      expect((await fetch(`http://127.0.0.1:${port}${route}`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}${route}`, { headers: { Authorization: 'Bearer sk-wrong' } })).status).toBe(401);
    }
  });
});
