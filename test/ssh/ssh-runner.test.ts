import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { failure } from '../helpers/failure.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { connect, type Endpoint } from '../../src/ssh/connect.js';
import type { HostKeyPolicy } from '../../src/ssh/host-key-policy.js';
import { loadIdentity } from '../../src/ssh/identity.js';
import { KnownHostsFile } from '../../src/ssh/known-hosts.js';
import { SshPool } from '../../src/ssh/pool.js';
import { SshRunner } from '../../src/ssh/ssh-runner.js';
import { freePort, startSshd, waitFor, type TestSshd } from '../helpers/sshd.js';

/** The SSH runner against a real OpenSSH sshd that this file starts on a free loopback port. */
let sshd: TestSshd;
let work: string;
let runner: SshRunner;
let connectionsAtStart = 0;

function trusted(): HostKeyPolicy {
  const file = path.join(work, `known_hosts_${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${sshd.knownHostsLine}\n`);
  return { knownHosts: new KnownHostsFile(file), unknown: { kind: 'refuse' } };
}

async function open(candidates: Endpoint[], hostKeys = trusted()): Promise<SshRunner> {
  const identity = await loadIdentity('box', sshd.clientKey, {});
  const { ssh, endpoint } = await connect({ host: 'box', candidates, identity, hostKeys, retries: 0 });
  return new SshRunner('box', ssh, endpoint, { kind: 'root' });
}

const root = (): Endpoint => ({ address: '127.0.0.1', port: sshd.port, user: 'root' });

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(path.join(tmpdir(), 'hlw-runner-'));
  connectionsAtStart = sshd.connections();
  runner = await open([root()]);
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('SshRunner against a real sshd', () => {
  it('returns real exit codes with stdout and stderr apart', async () => {
    expect(await runner.exec({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] })).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await runner.exec({ argv: ['false'] })).code).toBe(1);
    expect((await runner.exec({ argv: ['no-such-program-hlw'] })).code).toBe(127);
    expect((await runner.exec({ argv: ['printf', '%s|', "it's", '$HOME', 'a b'] })).stdout).toBe("it's|$HOME|a b|");
  });

  it('streams output lines while the command still runs', async () => {
    const seen: [string, number][] = [];
    const started = Date.now();
    const result = await runner.exec({ argv: ['sh', '-c', 'echo first; sleep 0.6; echo second; echo oops >&2'] }, { onStdout: (l) => seen.push([l, Date.now() - started]), onStderr: (l) => seen.push([`E:${l}`, Date.now() - started]) });
    expect(seen.map(([l]) => l)).toEqual(['first', 'second', 'E:oops']);
    expect((seen[1]?.[1] ?? 0) - (seen[0]?.[1] ?? 0)).toBeGreaterThan(400);
    expect(result.code).toBe(0);
  });

  it('sends a secret on stdin, never in the process list of the host', async () => {
    const secret = Secret.of(`hlw-secret-${Date.now()}-value`);
    const target = path.join(work, 'stdin-secret');
    const running = runner.exec({ argv: ['sh', '-c', `cat > ${target}; sleep 1.5`], stdin: secret });
    // The host is this machine: sample its process list while the remote command runs.
    const samples = await waitFor(() => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), (ps) => ps.includes(`cat > ${target}`), 5000, 20);
    expect(samples).toContain(`cat > ${target}`);
    expect(samples).not.toContain(secret.reveal());
    expect((await running).code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(secret.reveal());
  });

  it('uploads through a temp file with the mode and owner asked for, replacing files whole', async () => {
    const secretFile = path.join(work, 'app.env');
    const plainFile = path.join(work, 'public.conf');
    expect((await runner.upload({ path: secretFile, mode: '0600', owner: 'root:root', content: Secret.of('TOKEN=abc123\n') })).code).toBe(0);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, 'utf8')).toBe('TOKEN=abc123\n');
    writeFileSync(plainFile, 'old\n', { mode: 0o600 });
    expect((await runner.upload({ path: plainFile, mode: '0640', owner: 'nobody:nogroup', content: 'new\n' })).code).toBe(0);
    const st = statSync(plainFile);
    expect(st.mode & 0o777).toBe(0o640);
    expect(execFileSync('stat', ['-c', '%U:%G', plainFile], { encoding: 'utf8' }).trim()).toBe('nobody:nogroup');
    expect(readFileSync(plainFile, 'utf8')).toBe('new\n');
    expect(readdirSync(work).filter((n) => n.startsWith('.hlw-write'))).toEqual([]);
  });

  it('never creates a missing folder for an upload (unlike SFTP putFile)', async () => {
    const missing = path.join(work, 'no-such-dir', 'x.conf');
    const result = await runner.upload({ path: missing, mode: '0644', owner: 'root:root', content: 'x' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/No such file or directory/);
    expect(existsSync(path.dirname(missing))).toBe(false);
  });

  it('probes every step in one script', async () => {
    writeFileSync(path.join(work, 'probe.txt'), 'before\n');
    const report = await runner.probe({ project: work, steps: [{ check: { argv: ['test', '-d', work] }, files: [{ path: path.join(work, 'probe.txt'), sha256: '0'.repeat(64), secret: false }] }] });
    expect(report.steps[0]).toMatchObject({ checkExit: 0, files: [{ state: 'present', content: 'before\n', owner: 'root:root/0:0' }] });
  });

  it('did all of the above over one connection', () => {
    expect(sshd.connections() - connectionsAtStart).toBe(1);
  });
});

describe('a connection that breaks after it was made', () => {
  it('fails the command that runs, without an uncaught error that would crash the process', async () => {
    const identity = await loadIdentity('box', sshd.clientKey, {});
    const { ssh, endpoint } = await connect({ host: 'box', candidates: [root()], identity, hostKeys: trusted(), retries: 0 });
    const broken = new SshRunner('box', ssh, endpoint, { kind: 'root' });
    const running = broken.exec({ argv: ['sleep', '5'] }).then(
      (r) => r.code,
      () => 'rejected',
    );
    await new Promise((r) => setTimeout(r, 200));
    // What a reset from the network looks like to ssh2: its socket fails with an error.
    const sock = (ssh.connection as unknown as { _sock: { destroy(e: Error): void } })._sock;
    sock.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(await running).not.toBe(0);
    ssh.dispose();
  });
});

describe('connecting', () => {
  it('falls back to the initial login when the target port refuses', async () => {
    const closed = await freePort();
    const r = await open([{ address: '127.0.0.1', port: closed, user: 'deploy' }, root()]);
    expect(r.target).toBe(`root@127.0.0.1:${sshd.port}`);
    await r.close();
  });

  it('falls back when the target user is refused, and names the key when the last login is refused', async () => {
    const r = await open([{ address: '127.0.0.1', port: sshd.port, user: 'nobody' }, root()]);
    expect(r.target).toBe(`root@127.0.0.1:${sshd.port}`);
    await r.close();
    const error = await failure(open([{ address: '127.0.0.1', port: sshd.port, user: 'nobody' }]));
    expect(error.code).toBe('ssh-auth');
    expect(error.message).toBe(`box: nobody@127.0.0.1:${sshd.port} did not accept the key ${sshd.clientKey}`);
    expect(error.hint).toMatch(/authorized_keys/);
  });

  it('retries a refused connection with backoff, then says which port refused', async () => {
    const closed = await freePort();
    const waits: number[] = [];
    const identity = await loadIdentity('box', sshd.clientKey, {});
    const error = await failure(connect({ host: 'box', candidates: [{ address: '127.0.0.1', port: closed, user: 'root' }], identity, hostKeys: trusted(), retries: 3, retryDelayMs: 100, wait: async (ms) => void waits.push(ms) }));
    expect(waits).toEqual([100, 200, 400]);
    expect(error.code).toBe('ssh-connect');
    expect(error.message).toBe(`box: 127.0.0.1:${closed} refused the SSH connection`);
  });

  it('refuses an unknown host key without asking when it may not ask', async () => {
    const before = sshd.connections();
    const policy: HostKeyPolicy = { knownHosts: new KnownHostsFile(path.join(work, 'empty_known_hosts')), unknown: { kind: 'refuse' } };
    const error = await failure(open([root()], policy));
    expect(error.code).toBe('ssh-host-key-unknown');
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', sshd.hostKeyPub], { encoding: 'utf8' }).split(' ')[1];
    expect(error.message).toContain(`[127.0.0.1]:${sshd.port}: ssh-ed25519 ${fingerprint}`);
    expect(existsSync(path.join(work, 'empty_known_hosts'))).toBe(false);
    expect(sshd.connections() - before).toBe(1);
  });

  it('accepts and records a new key with accept-new, then knows it (also as a hashed entry)', async () => {
    const file = path.join(work, 'learnt_known_hosts');
    const r = await open([root()], { knownHosts: new KnownHostsFile(file), unknown: { kind: 'accept' } });
    await r.close();
    expect(readFileSync(file, 'utf8')).toContain(sshd.knownHostsLine);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const again = await open([root()], { knownHosts: new KnownHostsFile(file), unknown: { kind: 'refuse' } });
    await again.close();
  });

  it('stops hard when the host key changed, showing both fingerprints', async () => {
    const file = path.join(work, 'changed_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(work, 'impostor')]);
    const impostor = readFileSync(path.join(work, 'impostor.pub'), 'utf8').split(' ');
    writeFileSync(file, `[127.0.0.1]:${sshd.port} ${impostor[0]} ${impostor[1]}\n`);
    const error = await failure(open([root()], { knownHosts: new KnownHostsFile(file), unknown: { kind: 'accept' } }));
    expect(error.code).toBe('ssh-host-key-changed');
    const fp = (pub: string): string => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).split(' ')[1] as string;
    expect(error.message).toContain(fp(sshd.hostKeyPub));
    expect(error.message).toContain(fp(path.join(work, 'impostor.pub')));
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('reaches a host through a jump host', async () => {
    const identity = await loadIdentity('box', sshd.clientKey, {});
    const jump = await connect({ host: 'bastion', candidates: [root()], identity, hostKeys: trusted(), retries: 0 });
    const { ssh, endpoint } = await connect({ host: 'box', candidates: [root()], identity, hostKeys: trusted(), via: jump.ssh, retries: 0 });
    const through = new SshRunner('box', ssh, endpoint, { kind: 'root' });
    expect((await through.exec({ argv: ['echo', 'via jump'] })).stdout).toBe('via jump\n');
    await through.close();
    jump.ssh.dispose();
  });

  it('shares connections in a pool: a jump host that is also a managed host is connected once', async () => {
    const before = sshd.connections();
    const access = new Map([
      ['bastion', { host: 'bastion', candidates: [root()], sudo: () => ({ kind: 'root' as const }) }],
      ['box', { host: 'box', candidates: [root()], sudo: () => ({ kind: 'root' as const }), jumpHost: 'bastion' }],
    ]);
    const pool = new SshPool(access, await loadIdentity('box', sshd.clientKey, {}), trusted(), { retries: 0 });
    const box = await pool.runner('box');
    const bastion = await pool.runner('bastion');
    expect(await pool.runner('box')).toBe(box);
    expect((await box.exec({ argv: ['echo', 'box'] })).stdout).toBe('box\n');
    expect((await bastion.exec({ argv: ['echo', 'bastion'] })).stdout).toBe('bastion\n');
    await pool.closeAll();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sshd.connections() - before).toBe(2);
  });

  it('notices a dead link through keepalive instead of hanging', async () => {
    const identity = await loadIdentity('box', sshd.clientKey, {});
    const { ssh, endpoint } = await connect({ host: 'box', candidates: [root()], identity, hostKeys: trusted(), retries: 0, keepaliveIntervalMs: 300 });
    const r = new SshRunner('box', ssh, endpoint, { kind: 'root' });
    expect((await r.exec({ argv: ['true'] })).code).toBe(0);
    // Freeze the sshd process serving this connection: the link stays open but answers nothing.
    const listener = readFileSync(path.join(sshd.dir, 'sshd.pid'), 'utf8').trim();
    const child = execFileSync('pgrep', ['-n', '-P', listener], { encoding: 'utf8' }).trim();
    process.kill(Number(child), 'SIGSTOP');
    try {
      const started = Date.now();
      const error = await failure(r.exec({ argv: ['sleep', '20'] }));
      expect(error.code).toBe('ssh-exec');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      process.kill(Number(child), 'SIGCONT');
      await r.close();
    }
  });
});
