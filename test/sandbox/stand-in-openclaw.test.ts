import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLitellmConfig } from '../../src/render/litellm-config.js';
import { openclawConfig } from '../../src/render/openclaw-config.js';
import { judgeOpenclawLitellm, OPENCLAW_LITELLM_JS } from '../../src/smoke/openclaw-litellm.js';
import { stopProcess, untilAnswers } from '../helpers/stand-in-process.js';
import { freePort } from '../helpers/sshd.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { REPO, validExample } from '../helpers/profiles.js';

/**
 * The OpenClaw STAND-IN (templates/sandbox/stand-ins/openclaw) on this machine's python3, started
 * from the openclaw.json the tool renders (its port moved to a free one), and the openclaw.litellm
 * smoke program (node, as in OpenClaw's container) against the LiteLLM stand-in.
 */
const STAND_INS = path.join(REPO, 'templates/sandbox/stand-ins');
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-openclaw-stand-in-'));
const ENV = { OPENCLAW_GATEWAY_TOKEN: 'gateway-token-test', LITELLM_API_KEY: 'sk-stand-in-master', TELEGRAM_BOT_TOKEN: '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqq' };
const profile = validExample('vpai');
let port = 0;
let litellmPort = 0;
let litellm: ChildProcess | undefined;
let gateway: ChildProcess | undefined;

type Config = Record<string, any>;
const rendered = (): Config => {
  const c = openclawConfig({ settings: profile.openclaw, litellm: profile.litellm, project: 'vpai', site: 'javisi.example.com', telegram: true, braveSearch: true }) as Config;
  c['gateway'].port = port;
  return c;
};
function write(name: string, config: Config | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof config === 'string' ? config : JSON.stringify(config));
  return p;
}

/** Runs the stand-in until it exits (a refusal) or 3 s pass (it started: killed, code null). */
function startOnly(configPath: string, env: Record<string, string> = ENV): { code: number | null; stderr: string } {
  const r = spawnSync('python3', [path.join(STAND_INS, 'openclaw')], { env: { ...process.env, PYTHONPATH: STAND_INS, HOME: dir, ...env, OPENCLAW_CONFIG_PATH: configPath }, encoding: 'utf8', timeout: 3000 });
  return { code: r.status, stderr: r.stderr };
}

/** The catalogue's health check in spirit: a WebSocket upgrade, and the status it got. */
function upgrade(): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    r.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    r.on('response', (res) => resolve(res.statusCode ?? 0));
    r.on('error', reject);
    r.end();
  });
}

/** The smoke program as `docker compose exec openclaw node -e` runs it, with this machine's node. */
function smoke(configPath: string, env: Record<string, string> = ENV): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-warnings', '-e', OPENCLAW_LITELLM_JS, 'custom-litellm'], { env: { PATH: process.env['PATH'], HOME: dir, ...env, OPENCLAW_CONFIG_PATH: configPath }, timeout: 20_000 }, (error, stdout) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout });
    });
  });
}

beforeAll(async () => {
  ensureCommands({ python3: 'python3' });
  port = await freePort();
  litellmPort = await freePort();
  const litellmConfig = write('litellm.yaml', renderLitellmConfig(profile.litellm));
  litellm = spawn('python3', [path.join(STAND_INS, 'litellm_stand_in.py'), '--config', litellmConfig, '--host', '127.0.0.1', '--port', String(litellmPort)], {
    env: { ...process.env, LITELLM_MASTER_KEY: ENV.LITELLM_API_KEY },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await untilAnswers(`http://127.0.0.1:${litellmPort}/health/liveliness`, 'the LiteLLM stand-in');
});

afterAll(async () => {
  await stopProcess(gateway);
  await stopProcess(litellm);
  rmSync(dir, { recursive: true, force: true });
});

describe('the OpenClaw stand-in', { timeout: 30_000 }, () => {
  it.each([
    ['no config file', () => path.join(dir, 'absent.json'), /Missing config\. Run `openclaw setup` or set gateway\.mode=local/],
    ['a file that is not JSON', () => write('bad.json', '{ gateway: '), /Failed to read config at .*bad\.json/],
    ['an unknown top-level key (L-F4)', () => write('heartbeat.json', { ...rendered(), heartbeat: { every: '30m' } }), /Invalid config at .*\n- <root>: Unrecognized key: "heartbeat"/],
    ['an unknown gateway key', () => write('gw.json', { ...rendered(), gateway: { ...rendered()['gateway'], listen: '0.0.0.0' } }), /- gateway: Unrecognized key: "listen"/],
    ['a port as text', () => write('port.json', { ...rendered(), gateway: { ...rendered()['gateway'], port: '18789' } }), /- gateway\.port: Invalid input: expected number, received string/],
    ['workspaceAccess write (L-F3)', () => { const c = rendered(); c['agents'].defaults.sandbox.workspaceAccess = 'write'; return write('ws.json', c); }, /- agents\.defaults\.sandbox\.workspaceAccess: Invalid input: expected one of "none"\|"ro"\|"rw"/],
    ['a provider without baseUrl', () => { const c = rendered(); delete c['models'].providers['custom-litellm'].baseUrl; return write('nobase.json', c); }, /- models\.providers\.custom-litellm\.baseUrl: Invalid input/],
    ['no gateway token', () => { const c = rendered(); delete c['gateway'].auth.token; return write('notoken.json', c); }, /gateway\.auth must be mode token with a token/],
    ['an empty gateway token', () => { const c = rendered(); c['gateway'].auth.token = ''; return write('emptytoken.json', c); }, /gateway auth mode is token, but no token was configured/],
    ['gateway.mode remote', () => { const c = rendered(); c['gateway'].mode = 'remote'; return write('remote.json', c); }, /Gateway start blocked: set gateway\.mode=local \(current: remote\)/],
    ['a control UI on lan without allowed origins', () => { const c = rendered(); c['gateway'].controlUi.allowedOrigins = []; return write('origins.json', c); }, /non-loopback Control UI requires gateway\.controlUi\.allowedOrigins/],
  ])('refuses to start with %s, with OpenClaw’s message', (_what, make, message) => {
    const r = startOnly(make());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Gateway failed to start: /);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a ${NAME} the environment lacks, naming it and where', () => {
    const r = startOnly(write('ok-env.json', rendered()), { ...ENV, LITELLM_API_KEY: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Missing env var "LITELLM_API_KEY" referenced at config path: models.providers.custom-litellm.apiKey');
  });

  it('refuses a blank gateway token on a LAN bind, as OpenClaw does', () => {
    const r = startOnly(write('ok-blank.json', rendered()), { ...ENV, OPENCLAW_GATEWAY_TOKEN: '   ' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`refusing to bind gateway to 0.0.0.0:${port} without auth (set gateway.auth.token/password, or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD)`);
  });

  it("starts from the tool's config and answers the WebSocket upgrade with 101", async () => {
    gateway = spawn('python3', [path.join(STAND_INS, 'openclaw')], { env: { ...process.env, PYTHONPATH: STAND_INS, HOME: dir, ...ENV, OPENCLAW_CONFIG_PATH: write('ok.json', rendered()) }, stdio: ['ignore', 'ignore', 'pipe'] });
    await untilAnswers(`http://127.0.0.1:${port}/`, 'the OpenClaw stand-in');
    expect(await upgrade()).toBe(101);
  });
});

describe('the openclaw.litellm smoke program', { timeout: 30_000 }, () => {
  const atLitellm = (change: (c: Config) => void = () => undefined): string => {
    const c = rendered();
    c['models'].providers['custom-litellm'].baseUrl = `http://127.0.0.1:${litellmPort}/v1`;
    change(c);
    return write('smoke.json', c);
  };
  const expected = () => ({ baseUrl: `http://127.0.0.1:${litellmPort}/v1`, models: profile.litellm.models.map((m) => m.alias) });

  it('passes when LiteLLM, called at the configured address with the configured key, serves every configured model', async () => {
    const r = await smoke(atLitellm());
    expect(judgeOpenclawLitellm(expected(), r.code, r.out)).toEqual({ status: 'PASS', reason: `OpenClaw reaches LiteLLM at http://127.0.0.1:${litellmPort}/v1 with its key; LiteLLM serves its 8 models` });
  });

  it('fails with the reason: a wrong key, a wrong address, a model LiteLLM lacks, a missing env var', async () => {
    const wrongKey = await smoke(atLitellm(), { ...ENV, LITELLM_API_KEY: 'sk-wrong' });
    expect(judgeOpenclawLitellm(expected(), wrongKey.code, wrongKey.out).reason).toMatch(/refused OpenClaw's key \(401\): LITELLM_API_KEY in openclaw's env is not LiteLLM's master key/);
    const closed = await freePort();
    const wrongAddress = await smoke(atLitellm((c) => (c['models'].providers['custom-litellm'].baseUrl = `http://127.0.0.1:${closed}/v1`)));
    expect(judgeOpenclawLitellm({ ...expected(), baseUrl: `http://127.0.0.1:${closed}/v1` }, wrongAddress.code, wrongAddress.out).reason).toBe(`OpenClaw cannot call LiteLLM at http://127.0.0.1:${closed}/v1: ECONNREFUSED`);
    const extra = await smoke(atLitellm((c) => c['models'].providers['custom-litellm'].models.push({ id: 'gpt-9', name: 'gpt-9' })));
    expect(judgeOpenclawLitellm({ ...expected(), models: [...expected().models, 'gpt-9'] }, extra.code, extra.out).reason).toBe(`LiteLLM at http://127.0.0.1:${litellmPort}/v1 does not serve OpenClaw's gpt-9`);
    const noEnv = await smoke(atLitellm(), { OPENCLAW_GATEWAY_TOKEN: 'x' });
    expect(judgeOpenclawLitellm(expected(), noEnv.code, noEnv.out).reason).toBe(`OpenClaw cannot call LiteLLM at http://127.0.0.1:${litellmPort}/v1: the container has no LITELLM_API_KEY (the config reads the key from it)`);
  });
});
