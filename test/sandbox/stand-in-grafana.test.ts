import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess, untilAnswers } from '../helpers/stand-in-process.js';
import { freePort } from '../helpers/sshd.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { REPO } from '../helpers/profiles.js';

/**
 * The Grafana 12.3 STAND-IN (templates/sandbox/stand-ins/grafana) on this machine's python3: the
 * admin password comes from the environment on the first start only, later only from
 * `grafana cli admin reset-admin-password --password-from-stdin`, as in the real Grafana.
 */
const STAND_INS = path.join(REPO, 'templates/sandbox/stand-ins');
const data = mkdtempSync(path.join(tmpdir(), 'hlw-grafana-stand-in-'));
let port = 0;
let server: ChildProcess | undefined;

function env(password: string): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: STAND_INS, GF_PATHS_DATA: data, GF_SECURITY_ADMIN_USER: 'boss', GF_SECURITY_ADMIN_PASSWORD: password, GF_SERVER_HTTP_PORT: String(port) };
}

function grafanaCli(stdin: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('python3', [path.join(STAND_INS, 'grafana'), 'cli', ...args], { env: env('ignored'), timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(stdin);
  });
}

async function start(password: string): Promise<void> {
  server = spawn('python3', [path.join(STAND_INS, 'grafana'), 'server'], { env: env(password), stdio: 'ignore' });
  await untilAnswers(`http://127.0.0.1:${port}/api/health`, 'the grafana stand-in');
}

async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  await stopProcess(s);
}

async function login(user: string, password: string): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/api/user`, { headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
  return r.status;
}

beforeAll(async () => {
  ensureCommands({ python3: 'python3' });
  port = await freePort();
});

afterAll(async () => {
  await stop();
  rmSync(data, { recursive: true, force: true });
});

describe('Grafana stand-in', { timeout: 30_000 }, () => {
  it('seeds the admin from the environment on the first start, and ignores it afterwards', async () => {
    await start('first-pass');
    expect(await login('boss', 'first-pass')).toBe(200);
    expect(await login('boss', 'wrong')).toBe(401);
    await stop();
    await start('changed-env-pass');
    expect(await login('boss', 'changed-env-pass')).toBe(401);
    expect(await login('boss', 'first-pass')).toBe(200);
    expect(readFileSync(path.join(data, 'stand-in-grafana.json'), 'utf8')).not.toContain('first-pass');
  });

  it('changes the password with `grafana cli admin reset-admin-password --password-from-stdin` (one line), refusing a short one', async () => {
    const r = await grafanaCli('second-pass\nignored second line\n', '--homepath', '/usr/share/grafana', '--config', '/etc/grafana/grafana.ini', 'admin', 'reset-admin-password', '--password-from-stdin');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Admin password changed successfully');
    expect(await login('boss', 'second-pass')).toBe(200);
    expect(await login('boss', 'first-pass')).toBe(401);
    const short = await grafanaCli('abc\n', 'admin', 'reset-admin-password', '--password-from-stdin');
    expect(short.code).toBe(1);
    expect(short.out).toContain('new password is too short');
    expect((await grafanaCli('', 'admin', 'reset-admin-password', '--password-from-stdin')).out).toContain("can't read password from stdin");
    expect(await login('boss', 'second-pass')).toBe(200);
  });
});
