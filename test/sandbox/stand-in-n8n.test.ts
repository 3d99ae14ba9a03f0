import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { N8N_OWNER } from '../../src/remote/generated-scripts.js';
import { stopProcess, untilAnswers } from '../helpers/stand-in-process.js';
import { freePort } from '../helpers/sshd.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { REPO } from '../helpers/profiles.js';

/**
 * The n8n 2.7 STAND-IN (templates/sandbox/stand-ins/n8n) on this machine's python3, driven by the
 * deploy's own src/remote/n8n-owner.sh (its port moved to a free one): the answers were checked
 * against the real n8n 2.7.4; these tests keep the stand-in strict.
 */
const STAND_INS = path.join(REPO, 'templates/sandbox/stand-ins');
const home = mkdtempSync(path.join(tmpdir(), 'hlw-n8n-stand-in-'));
let port = 0;
let server: ChildProcess | undefined;

const env = (key: string): NodeJS.ProcessEnv => ({ ...process.env, PYTHONPATH: STAND_INS, N8N_USER_FOLDER: home, N8N_PORT: String(port), N8N_ENCRYPTION_KEY: key });

function start(key: string): ChildProcess {
  return spawn('python3', [path.join(STAND_INS, 'n8n'), 'start'], { env: env(key), stdio: ['ignore', 'ignore', 'pipe'] });
}

async function up(key: string): Promise<void> {
  server = start(key);
  await untilAnswers(`http://127.0.0.1:${port}/healthz`, 'the n8n stand-in');
}

async function down(): Promise<void> {
  const s = server;
  server = undefined;
  await stopProcess(s);
}

/** src/remote/n8n-owner.sh as the container runs it, node from this test's own Node. */
function owner(password: string | undefined, ...args: string[]): Promise<{ code: number; out: string }> {
  const script = N8N_OWNER.replace('http://127.0.0.1:5678', `http://127.0.0.1:${port}`);
  return new Promise((resolve) => {
    const child = execFile('sh', ['-c', script, 'sh', ...args], { env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env['PATH']}` }, timeout: 20_000 }, (error, stdout) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout.trim() });
    });
    child.stdin?.end(password === undefined ? '' : `${Buffer.from(password).toString('base64')}\n`);
  });
}

beforeAll(async () => {
  ensureCommands({ python3: 'python3' });
  port = await freePort();
});
afterAll(async () => {
  await down();
  rmSync(home, { recursive: true, force: true });
});

describe('the n8n stand-in, through the deploy’s owner script', () => {
  it('shows its setup page until an owner is set up, refuses a password n8n 2.7 refuses, then logs the owner in', async () => {
    await up('key-1');
    expect(N8N_OWNER).toContain('http://127.0.0.1:5678');
    expect(await owner(undefined, 'check')).toEqual({ code: 1, out: 'n8n: owner account not set up (n8n shows its setup page)' });
    expect(await owner('lowercase1', 'setup', 'ops@example.com', 'Ada', 'Lovelace')).toEqual({ code: 1, out: 'n8n refused the owner setup: 400 Password must contain at least 1 uppercase letter.' });
    expect(await owner('Short1', 'setup', 'ops@example.com', 'Ada', 'Lovelace')).toEqual({ code: 1, out: 'n8n refused the owner setup: 400 Password must be 8 to 64 characters long.' });
    expect(await owner('Pa$$ "w0rd" \'Ü', 'setup', 'ops@example.com', 'Ada', 'Lovelace')).toEqual({ code: 0, out: 'owner ops@example.com set up' });
    expect(await owner(undefined, 'check')).toEqual({ code: 0, out: 'ok' });
    // A second setup changes nothing and is not an error: n8n answers 400 "already setup".
    expect(await owner('Other-pass-2', 'setup', 'ops@example.com', 'Ada', 'Lovelace')).toEqual({ code: 0, out: 'n8n already has an owner' });
    expect(await owner('Pa$$ "w0rd" \'Ü', 'login', 'ops@example.com')).toEqual({ code: 0, out: 'ok' });
    expect(await owner('Other-pass-2', 'login', 'ops@example.com')).toEqual({ code: 1, out: 'n8n refused the login of ops@example.com: 401 Wrong username or password. Do you have caps lock on?' });
  });

  it('keeps its owner over a restart with the same encryption key, and refuses to start with another one', async () => {
    await down();
    await up('key-1');
    expect(await owner('Pa$$ "w0rd" \'Ü', 'login', 'ops@example.com')).toEqual({ code: 0, out: 'ok' });
    await down();
    const other = start('key-2');
    let stderr = '';
    other.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => other.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Mismatching encryption keys\./);
  });
});
