import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCommands } from '../helpers/system-packages.js';
import { freePort } from '../helpers/sshd.js';
import { REPO } from '../helpers/profiles.js';

/**
 * The Headscale 0.26.1 and Tailscale 1.90.6 stand-ins (templates/sandbox/stand-ins) against the CLI
 * and JSON shapes of apis.md §4, run on this machine's python3 with their state in a temp folder.
 */
const exec = promisify(execFile);
const STAND_INS = path.join(REPO, 'templates/sandbox/stand-ins');
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-stand-ins-'));
let port = 0;
let server: ChildProcess;

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env, PYTHONPATH: STAND_INS, HEADSCALE_STAND_IN_STATE: path.join(dir, 'headscale.json'), HEADSCALE_STAND_IN_SOCKET: path.join(dir, 'headscale.sock'),
    HEADSCALE_LISTEN_ADDR: `127.0.0.1:${port}`, TS_STAND_IN_STATE: path.join(dir, 'tailscale.json'),
  };
}

async function cli(program: 'headscale' | 'tailscale', ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('python3', [path.join(STAND_INS, program), ...args], { env: env(), timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}


beforeAll(async () => {
  ensureCommands({ python3: 'python3' });
  port = await freePort();
  server = spawn('python3', [path.join(STAND_INS, 'headscale'), 'serve'], { env: env(), stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    if ((await cli('headscale', 'health')).code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the headscale stand-in did not start');
});

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('Headscale 0.26.1 stand-in', () => {
  it('answers /health and the version', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'pass' });
    expect((await cli('headscale', 'version')).stdout.trim()).toBe('v0.26.1');
  });

  it('creates users and lists them as protobuf JSON (snake_case, {seconds,nanos}, zero values left out)', async () => {
    expect((await cli('headscale', 'users', 'create', 'ops')).stdout.trim()).toBe('User created');
    const users = JSON.parse((await cli('headscale', 'users', 'list', '-o', 'json')).stdout);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ id: 1, name: 'ops' });
    expect(Object.keys(users[0].created_at)).toContain('seconds');
    expect(users[0]).not.toHaveProperty('email');
  });

  it('needs a numeric user ID for preauth keys since 0.26, and prints only the key in human mode', async () => {
    const byName = await cli('headscale', 'preauthkeys', 'create', '--user', 'ops');
    expect(byName.code).not.toBe(0);
    expect(byName.stderr).toContain('strconv.ParseUint: parsing "ops": invalid syntax');
    const key = await cli('headscale', 'preauthkeys', 'create', '--user', '1', '--reusable', '-e', '1h');
    expect(key.stdout.trim()).toMatch(/^[0-9a-f]{48}$/);
    const json = JSON.parse((await cli('headscale', 'preauthkeys', 'create', '-u', '1', '-e', '24h', '-o', 'json')).stdout);
    expect(json).toMatchObject({ id: 2, user: { id: 1, name: 'ops' } });
    expect(json).not.toHaveProperty('reusable');
    expect(json.expiration.seconds).toBeGreaterThan(json.created_at.seconds + 86_000);
  });

  it('fails like the real CLI when the server is not running', async () => {
    const { code, stderr } = await exec('python3', [path.join(STAND_INS, 'headscale'), 'users', 'list'], {
      env: { ...env(), HEADSCALE_STAND_IN_SOCKET: path.join(dir, 'nothing.sock') },
    }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/Could not connect/);
  });
});

describe('Tailscale 1.90.6 stand-in', () => {
  it('reports its version and NoState before login', async () => {
    expect((await cli('tailscale', 'version')).stdout.split('\n')[0]).toBe('1.90.6');
    expect(JSON.parse((await cli('tailscale', 'status', '--json')).stdout).BackendState).toBe('NoState');
    expect((await cli('tailscale', 'ip', '-4')).code).not.toBe(0);
  });

  it('refuses a bad key, joins with a good one (from a file), and then reports Running with a 100.64 address', async () => {
    const bad = await cli('tailscale', 'up', '--login-server', `http://127.0.0.1:${port}`, '--auth-key', 'f'.repeat(48), '--hostname', 'web-1', '--timeout', '10s');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid authkey/);
    const key = (await cli('headscale', 'preauthkeys', 'create', '--user', '1', '-e', '1h')).stdout.trim();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'key'), key, { mode: 0o600 });
    const up = await cli('tailscale', 'up', '--login-server', `http://127.0.0.1:${port}`, `--authkey=file:${path.join(dir, 'key')}`, '--hostname', 'Web-1', '--timeout', '10s');
    expect(up.code, up.stderr).toBe(0);
    const statusText = (await cli('tailscale', 'status', '--json')).stdout;
    // The catalogue's smoke test looks for this exact text.
    expect(statusText).toContain('"BackendState": "Running"');
    const status = JSON.parse(statusText);
    expect(status.Self).toMatchObject({ HostName: 'web-1', Online: true });
    expect(status.TailscaleIPs[0]).toMatch(/^100\.64\.0\.\d+$/);
    expect(Object.keys(status)).toEqual(expect.arrayContaining(['Version', 'TUN', 'BackendState', 'HaveNodeKey', 'AuthURL', 'TailscaleIPs', 'Self', 'Health', 'MagicDNSSuffix', 'CurrentTailnet', 'Peer', 'User']));
    expect((await cli('tailscale', 'ip', '-4')).stdout.trim()).toBe(status.TailscaleIPs[0]);
    const nodes = JSON.parse((await cli('headscale', 'nodes', 'list', '-o', 'json')).stdout);
    expect(nodes[0]).toMatchObject({ given_name: 'web-1', online: true, ip_addresses: [status.TailscaleIPs[0], expect.stringMatching(/^fd7a:115c:a1e0::/)] });
  });

  it('refuses to change settings without --reset, as the real client does', async () => {
    const changed = await cli('tailscale', 'up', '--login-server', `http://127.0.0.1:${port}`, '--hostname', 'other');
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toMatch(/requires mentioning all\s+non-default flags/);
  });

  it('goes down and logs out', async () => {
    await cli('tailscale', 'down');
    expect(JSON.parse((await cli('tailscale', 'status', '--json')).stdout).BackendState).toBe('Stopped');
    await cli('tailscale', 'logout');
    expect(JSON.parse((await cli('tailscale', 'status', '--json')).stdout).BackendState).toBe('NeedsLogin');
  });
});
