import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLitellmConfig } from '../../src/render/litellm-config.js';
import { smokePlan, type HostCheck } from '../../src/smoke/checks.js';
import { evaluateHost, hostScript, type HostFacts } from '../../src/smoke/host-script.js';
import { judgeModelList, MODEL_LIST_PY } from '../../src/smoke/model-list.js';
import { REPO, validExample } from '../helpers/profiles.js';
import { freePort } from '../helpers/sshd.js';
import { ensureCommands } from '../helpers/system-packages.js';

const profile = validExample('vpai');
const host = profile.hosts[0]!;
const plan = smokePlan(profile, host);
const ALIASES = profile.litellm.models.map((m) => m.alias);
const MASTER = `sk-${'a1'.repeat(24)}`;

describe('the litellm.models smoke check', () => {
  it('is planned for litellm with the profile aliases and the master key from the vault', () => {
    const check = plan.checks.find((c) => c.id === 'litellm.models') as Extract<HostCheck, { kind: 'model-list' }>;
    expect(check).toMatchObject({ kind: 'model-list', service: 'litellm', port: 4000, passwordKey: 'litellm.masterKey', target: { project: 'vpai', file: 'docker-compose.yml', service: 'litellm' } });
    expect([...check.expected].sort()).toEqual([...ALIASES].sort());
  });

  it('sends the key on stdin, never in argv', () => {
    const script = hostScript(plan, '/opt/homelab/vpai/current');
    expect(script.passwordKeys).toContain('litellm.masterKey');
    expect(script.argv.join(' ')).not.toContain(MASTER);
    expect(script.argv[2]).toMatch(/exec -T litellm python3 -c 'import base64/);
  });

  it('judges the listing: exactly the aliases pass; a missing, an extra model, a refused key or no answer fail with the reason', () => {
    const listing = (ids: string[], status = 200) => `HTTP ${status}\n${ids.map((id) => `model\t${id}`).join('\n')}\n`;
    expect(judgeModelList(['b', 'a'], 0, listing(['a', 'b']))).toEqual({ status: 'PASS', reason: 'lists the 2 configured models: a, b' });
    expect(judgeModelList(['a', 'b'], 0, listing(['a']))).toEqual({ status: 'FAIL', reason: "LiteLLM's models differ from the profile's: missing b" });
    expect(judgeModelList(['a'], 0, listing(['a', 'old']))).toEqual({ status: 'FAIL', reason: "LiteLLM's models differ from the profile's: not in the profile: old" });
    expect(judgeModelList(['a'], 0, listing([], 401)).reason).toMatch(/refused the vault's master key \(401\)/);
    expect(judgeModelList(['a'], 0, listing([], 500))).toEqual({ status: 'FAIL', reason: 'GET /v1/models answered 500' });
    expect(judgeModelList(['a'], 2, 'error <urlopen error [Errno 111] Connection refused>\n').reason).toMatch(/no answer from LiteLLM's \/v1\/models: error <urlopen error/);
  });

  it('is judged from the host facts, and fails when the vault has no master key', () => {
    const index = plan.checks.findIndex((c) => c.id === 'litellm.models');
    const facts: HostFacts = {
      deployed: true,
      containers: new Map([['vpai/litellm', { state: 'running', status: 'Up 1 minute (healthy)' }]]),
      outputs: new Map([[index, { code: 0, output: `HTTP 200\n${ALIASES.map((a) => `model\t${a}`).join('\n')}\n` }]]),
    };
    const result = (missing = new Set<string>()) => evaluateHost(plan, facts, missing).find((r) => r.id === 'litellm.models');
    expect(result()).toMatchObject({ status: 'PASS', reason: `lists the ${ALIASES.length} configured models: ${[...ALIASES].sort().join(', ')}` });
    expect(result(new Set(['litellm.masterKey']))).toMatchObject({ status: 'FAIL', reason: 'the vault has no litellm.masterKey' });
  });
});

describe('the in-container program against the LiteLLM stand-in', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-model-list-'));
  let server: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    ensureCommands({ python3: 'python3' });
    if (spawnSync('python3', ['-c', 'import yaml']).status !== 0) throw new Error('missing the python3 yaml module: apt-get install -y python3-yaml');
    port = await freePort();
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, renderLitellmConfig(profile.litellm));
    server = spawn('python3', [path.join(REPO, 'templates/sandbox/stand-ins/litellm_stand_in.py'), '--config', config, '--host', '127.0.0.1', '--port', String(port)], {
      env: { ...process.env, LITELLM_MASTER_KEY: MASTER }, stdio: 'ignore',
    });
    for (let i = 0; i < 50; i += 1) {
      if ((await fetch(`http://127.0.0.1:${port}/health/liveliness`).then((r) => r.status, () => 0)) === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the litellm stand-in did not start');
  });

  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (key: string) => {
    const r = spawnSync('python3', ['-c', MODEL_LIST_PY, String(port)], { input: `${Buffer.from(key).toString('base64')}\n`, encoding: 'utf8', timeout: 15_000 });
    return judgeModelList(ALIASES, r.status ?? 1, `${r.stdout}${r.stderr}`);
  };

  it('passes with the master key and fails, saying so, with another', () => {
    expect(run(MASTER).status).toBe('PASS');
    expect(run('sk-not-the-key')).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/refused the vault's master key \(401\)/) });
  });
});
