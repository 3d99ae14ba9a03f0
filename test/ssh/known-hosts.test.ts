import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { failure } from '../helpers/failure.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256, keyTypeOf } from '../../src/ssh/fingerprint.js';
import { verifyHostKey, hostKeyAlgorithms, type HostKeyPolicy } from '../../src/ssh/host-key-policy.js';
import { checkHostKey, hostPattern, KnownHostsFile, parseKnownHosts, patternsMatch } from '../../src/ssh/known-hosts.js';
import { ensureCommands } from '../helpers/system-packages.js';

/** Keys made by the real ssh-keygen, so fingerprints and hashed names are checked against OpenSSH itself. */
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-kh-'));
let ed25519: { blob: Buffer; line: string; fingerprint: string };
let ecdsa: { blob: Buffer; line: string };

function keygen(type: string, name: string): { blob: Buffer; line: string; fingerprint: string } {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path.join(dir, name)]);
  const line = readFileSync(path.join(dir, `${name}.pub`), 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, `${name}.pub`)], { encoding: 'utf8' }).split(' ')[1] as string;
  return { blob: Buffer.from(line.split(' ')[1] as string, 'base64'), line, fingerprint };
}

beforeAll(() => {
  ensureCommands({ 'ssh-keygen': 'openssh-client' });
  ed25519 = keygen('ed25519', 'host_ed25519');
  ecdsa = keygen('ecdsa', 'host_ecdsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fingerprints', () => {
  it('match ssh-keygen -l -E sha256', () => {
    expect(fingerprintSha256(ed25519.blob)).toBe(ed25519.fingerprint);
    expect(keyTypeOf(ed25519.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(ecdsa.blob)).toBe('ecdsa-sha2-nistp256');
  });
});

describe('known_hosts', () => {
  it('names a host as OpenSSH does', () => {
    expect(hostPattern('203.0.113.10', 22)).toBe('203.0.113.10');
    expect(hostPattern('203.0.113.10', 2222)).toBe('[203.0.113.10]:2222');
  });

  it('matches lists, wildcards and negations', () => {
    expect(patternsMatch('vps.example.com,203.0.113.10', '203.0.113.10')).toBe(true);
    expect(patternsMatch('*.example.com', 'vps.example.com')).toBe(true);
    expect(patternsMatch('*.example.com,!db.example.com', 'db.example.com')).toBe(false);
    expect(patternsMatch('[203.0.113.10]:2222', '203.0.113.10')).toBe(false);
  });

  it('reads the hashed entries that ssh-keygen -H writes', () => {
    const file = path.join(dir, 'hashed');
    writeFileSync(file, `[203.0.113.10]:2222 ${ed25519.line.split(' ').slice(0, 2).join(' ')}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    const entries = parseKnownHosts(text);
    expect(checkHostKey(entries, '[203.0.113.10]:2222', ed25519.blob)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, '[203.0.113.11]:2222', ed25519.blob).status).toBe('unknown');
  });

  it('tells unknown, changed and revoked keys apart', () => {
    const entries = parseKnownHosts(`# comment\n203.0.113.10 ${ed25519.line}\n@revoked * ${ecdsa.line}\n`);
    expect(checkHostKey(entries, '203.0.113.10', ed25519.blob)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, '203.0.113.99', ed25519.blob)).toMatchObject({ status: 'unknown', fingerprint: ed25519.fingerprint });
    const other = keygen('ed25519', 'other');
    expect(checkHostKey(entries, '203.0.113.10', other.blob)).toEqual({ status: 'changed', keyType: 'ssh-ed25519', fingerprint: other.fingerprint, expected: [`ssh-ed25519 ${ed25519.fingerprint}`] });
    expect(checkHostKey(entries, '203.0.113.50', ecdsa.blob).status).toBe('revoked');
  });

  it('asks the handshake for the key types it knows first', async () => {
    const file = path.join(dir, 'typed');
    writeFileSync(file, `[203.0.113.10]:2222 ${ecdsa.line}\n`);
    const policy: HostKeyPolicy = { knownHosts: new KnownHostsFile(file), unknown: { kind: 'refuse' } };
    expect((await hostKeyAlgorithms(policy, '[203.0.113.10]:2222'))[0]).toBe('ecdsa-sha2-nistp256');
    expect((await hostKeyAlgorithms(policy, '203.0.113.99'))[0]).toBe('ssh-ed25519');
  });
});

describe('host key policy', () => {
  const policy = (name: string, unknown: HostKeyPolicy['unknown'], pinned?: HostKeyPolicy['pinned']): HostKeyPolicy => ({ knownHosts: new KnownHostsFile(path.join(dir, name)), unknown, ...(pinned ? { pinned } : {}) });

  it('refuses an unknown key when it may not ask, naming its fingerprint and the flag', async () => {
    const error = await failure(verifyHostKey(policy('refuse', { kind: 'refuse' }), 'vps', '[203.0.113.10]:2222', ed25519.blob));
    expect(error.message).toBe(`vps: unknown host key for [203.0.113.10]:2222: ssh-ed25519 ${ed25519.fingerprint}`);
    expect(error.hint).toMatch(/--accept-new-host-keys/);
  });

  it('asks, and remembers an accepted key in OpenSSH format that ssh-keygen -F finds', async () => {
    const questions: string[] = [];
    const p = policy('asked', { kind: 'ask', confirm: async (q) => (questions.push(`${q.host} ${q.name} ${q.keyType} ${q.fingerprint}`), true) });
    await verifyHostKey(p, 'vps', '[203.0.113.10]:2222', ed25519.blob);
    expect(questions).toEqual([`vps [203.0.113.10]:2222 ssh-ed25519 ${ed25519.fingerprint}`]);
    await verifyHostKey(p, 'vps', '[203.0.113.10]:2222', ed25519.blob);
    expect(questions).toHaveLength(1);
    const found = execFileSync('ssh-keygen', ['-F', '[203.0.113.10]:2222', '-f', path.join(dir, 'asked')], { encoding: 'utf8' });
    expect(found).toContain(ed25519.line.split(' ')[1]);
  });

  it('stops hard on a changed key, showing both fingerprints, even with accept-new', async () => {
    writeFileSync(path.join(dir, 'changed'), `203.0.113.10 ${ecdsa.line}\n`);
    const error = await failure(verifyHostKey(policy('changed', { kind: 'accept' }), 'vps', '203.0.113.10', ed25519.blob));
    expect(error.code).toBe('ssh-host-key-changed');
    expect(error.message).toContain(ed25519.fingerprint);
    expect(error.message).toContain(fingerprintSha256(ecdsa.blob));
  });

  it('trusts a key pinned at provisioning without asking, and refuses any other', async () => {
    const pinned = new Map([['203.0.113.20', [ed25519.blob]]]);
    const p = policy('pinned', { kind: 'ask', confirm: async () => { throw new Error('must not ask'); } }, pinned);
    await verifyHostKey(p, 'new', '203.0.113.20', ed25519.blob);
    const error = await failure(verifyHostKey(policy('pinned2', { kind: 'accept' }, pinned), 'new', '203.0.113.20', ecdsa.blob));
    expect(error.message).toMatch(/not the key pinned when it was created/);
  });
});
