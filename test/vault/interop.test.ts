import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { createIdentityFile, identityProvider, loadIdentity } from '../../src/vault/identity.js';
import { createVault, openVault } from '../../src/vault/vault.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { TmuxSession } from '../helpers/tmux.js';
import { removeTempProjects, tempProject } from '../helpers/vault.js';

/** The real `age` CLI from Debian (1.1.1 on bookworm) against our files, both ways, in both modes. */
beforeAll(() => ensureCommands({ age: 'age', 'age-keygen': 'age', tmux: 'tmux' }), 600_000);
afterAll(removeTempProjects);

const sessions: TmuxSession[] = [];
afterAll(() => sessions.forEach((s) => s.kill()));

const VALUES = { 'api.token': 's3cr3t', 'b.pem': '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', 'c.yaml': 'yes: 0x1F # not a comment' };

describe('interop with the age CLI: recipient mode', () => {
  it('age -d reads a vault we wrote, with the identity file keys init writes', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', new Map(Object.entries(VALUES).map(([k, v]) => [k, Secret.of(v)] as const)), [p.publicKey]);
    const out = execFileSync('age', ['-d', '-i', p.identityFile, path.join(p.dir, 'vault/p.age')], { encoding: 'utf8', timeout: 20_000 });
    expect(parse(out)).toMatchObject(VALUES);
  });

  it('we read vaults the age CLI wrote (armored and binary), with an identity from age-keygen', async () => {
    const p = await tempProject('p', { identity: false });
    const key = path.join(p.dir, 'cli.key');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore', timeout: 20_000 });
    const pub = execFileSync('age-keygen', ['-y', key], { encoding: 'utf8', timeout: 20_000 }).trim();
    const plain = path.join(p.dir, 'plain.yaml');
    writeFileSync(plain, 'api.token: "from-the-cli"\nn8n.dbPassword: "pw 2"\n');
    const identity = identityProvider({ env: { HOMELAB_WIZARD_IDENTITY: key } });
    mkdirSync(path.join(p.dir, 'vault'));
    execFileSync('age', ['-a', '-r', pub, '-o', path.join(p.dir, 'vault/p.age'), plain], { timeout: 20_000 });
    expect((await openVault(p.dir, 'p', { identity })).get('api.token')?.reveal()).toBe('from-the-cli');
    execFileSync('age', ['-r', pub, '-o', path.join(p.dir, 'vault/q.age'), plain], { timeout: 20_000 });
    expect(readFileSync(path.join(p.dir, 'vault/q.age')).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect((await openVault(p.dir, 'q', { identity })).get('n8n.dbPassword')?.reveal()).toBe('pw 2');
  });
});

describe('interop with the age CLI: passphrase mode (typed in a real terminal)', () => {
  it('age -d -i accepts our passphrase-protected identity', async () => {
    const p = await tempProject('p', { identity: false });
    const file = path.join(p.dir, 'protected.txt');
    const { publicKey } = await createIdentityFile(file, { now: new Date(), passphrase: Secret.of('tmux typed phrase'), logN: 12 });
    await createVault(p.dir, 'p', new Map([['api.token', Secret.of('s3cr3t')]]), [publicKey]);
    const session = TmuxSession.start(`age -d -i '${file}' -o '${p.dir}/out.yaml' '${p.dir}/vault/p.age'`, { cwd: p.dir, env: { PATH: process.env['PATH'] }, name: 'age-d' });
    sessions.push(session);
    await session.waitFor(/passphrase/i);
    session.type('tmux typed phrase');
    session.enter();
    expect(await session.exitCode()).toBe(0);
    expect(parse(readFileSync(path.join(p.dir, 'out.yaml'), 'utf8'))).toMatchObject({ 'api.token': 's3cr3t' });
  });

  it('we unlock an identity the age CLI protected with age -p', async () => {
    const p = await tempProject('p', { identity: false });
    const key = path.join(p.dir, 'cli.key');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore', timeout: 20_000 });
    const pub = execFileSync('age-keygen', ['-y', key], { encoding: 'utf8', timeout: 20_000 }).trim();
    const protectedFile = path.join(p.dir, 'cli-protected.age');
    const session = TmuxSession.start(`age -p -a -o '${protectedFile}' '${key}'`, { cwd: p.dir, env: { PATH: process.env['PATH'] }, name: 'age-p' });
    sessions.push(session);
    await session.waitFor(/Enter passphrase/);
    session.type('cli typed phrase');
    session.enter();
    await session.waitFor(/Confirm passphrase/);
    session.type('cli typed phrase');
    session.enter();
    expect(await session.exitCode()).toBe(0);
    const unlocked = await loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: protectedFile, HOMELAB_WIZARD_PASSPHRASE: 'cli typed phrase' } });
    expect(unlocked.publicKey).toBe(pub);
  }, 60_000);
});
