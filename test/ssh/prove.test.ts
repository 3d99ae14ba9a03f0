import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/ssh/connect.js';
import { loadIdentity, type Identity } from '../../src/ssh/identity.js';
import { KnownHostsFile } from '../../src/ssh/known-hosts.js';
import { proveLogin } from '../../src/ssh/prove.js';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.js';

/** Access proofs against a real sshd listening on two loopback ports (the SSH move's middle state). */
let sshd: TestSshd;
let second: number;
let work: string;
let identity: Identity;

beforeAll(async () => {
  second = await freePort();
  sshd = await startSshd({ config: [`Port ${second}`] });
  work = mkdtempSync(path.join(tmpdir(), 'hlw-prove-'));
  identity = await loadIdentity('box', sshd.clientKey, {});
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

function knownHosts(): KnownHostsFile {
  const file = path.join(work, `known_hosts_${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${sshd.knownHostsLine}\n`);
  return new KnownHostsFile(file);
}

const current = (): Endpoint => ({ address: '127.0.0.1', port: sshd.port, user: 'root' });
const request = (login: Parameters<typeof proveLogin>[0]['login'], file = knownHosts()) => ({ host: 'box', current: current(), login, identity, hostKeys: { knownHosts: file, unknown: { kind: 'refuse' as const } }, sudo: () => ({ kind: 'root' as const }) });

describe('proveLogin() against a real sshd', () => {
  it('proves the login in use from a new connection', async () => {
    const before = sshd.connections();
    expect(await proveLogin(request('current'))).toEqual({ ok: true, target: `root@127.0.0.1:${sshd.port}` });
    expect(sshd.connections()).toBe(before + 1);
  });

  it('trusts the new port only with the key already known for the old one, and records it', async () => {
    const file = knownHosts();
    expect(await proveLogin(request({ port: second, user: 'root' }, file))).toEqual({ ok: true, target: `root@127.0.0.1:${second}` });
    const lines = readFileSync(file.file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${second} ssh-ed25519 \\S+ box same-key-as-\\[127\\.0\\.0\\.1\\]:${sshd.port}$`));
    expect(lines[1]!.split(' ')[2]).toBe(lines[0]!.split(' ')[2]);
  });

  it('retries a refused port until its deadline, then says why and how often', async () => {
    const closed = await freePort();
    let now = 0;
    const waits: number[] = [];
    const result = await proveLogin(request({ port: closed, user: 'root' }), { deadlineMs: 3_000, retryDelayMs: 1_000, now: () => now, wait: async (ms) => void (waits.push(ms), (now += ms)) });
    expect(result).toMatchObject({ ok: false, target: `root@127.0.0.1:${closed}` });
    expect(!result.ok && result.reason).toMatch(/refused the SSH connection; 3 attempts$/);
    expect(waits).toEqual([1_000, 1_000]);
  });

  it('does not retry a refused login (that only feeds fail2ban)', async () => {
    let waits = 0;
    const result = await proveLogin(request({ port: sshd.port, user: 'nobody-here' }), { wait: async () => void waits++ });
    expect(result).toMatchObject({ ok: false, target: `nobody-here@127.0.0.1:${sshd.port}` });
    expect(!result.ok && result.reason).toMatch(/did not accept the key/);
    expect(waits).toBe(0);
  });
});
