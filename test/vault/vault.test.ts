import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { atomicWrite, withLock } from '../../src/vault/atomic-write.js';
import { identityProvider, loadIdentity } from '../../src/vault/identity.js';
import { FINGERPRINT_SALT_KEY, REDEPLOY_KEY } from '../../src/vault/keys.js';
import { createVault, openVault, recordRedeploy, updateVault } from '../../src/vault/vault.js';
import { otherIdentity, removeTempProjects, tempProject } from '../helpers/vault.js';

afterAll(removeTempProjects);

const secrets = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, Secret.of(v)] as const));

async function rejection(promise: Promise<unknown>): Promise<WizardError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WizardError);
    return error as WizardError;
  }
  throw new Error('expected a WizardError, got success');
}

describe('vault round trips', () => {
  it('creates, opens, updates; keeps .bak; writes recipients', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', secrets({ 'api.token': 's3cr3t', 'n8n.dbPassword': 'pw-1' }), [p.publicKey], { identity: p.identity });
    const vaultFile = path.join(p.dir, 'vault/p.age');
    expect(readFileSync(vaultFile, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    expect(readFileSync(path.join(p.dir, 'vault/p.recipients'), 'utf8')).toContain(p.publicKey);
    const vault = await openVault(p.dir, 'p', { identity: p.identity });
    expect(vault.keys()).toEqual(['api.token', 'n8n.dbPassword']);
    expect(vault.get('api.token')?.reveal()).toBe('s3cr3t');
    expect(vault.get(FINGERPRINT_SALT_KEY)?.length).toBe(64);
    expect(vault.fingerprint('api.token')).toMatch(/^[0-9a-f]{12}$/);
    expect(vault.fingerprint('api.token')).not.toBe(vault.fingerprint('n8n.dbPassword'));
    expect(vault.recipientCount).toBe(1);

    const first = readFileSync(vaultFile);
    const result = await updateVault(p.dir, 'p', (m) => {
      m.set('api.token', Secret.of('n3w'));
      recordRedeploy(m, ['n8n']);
      return 'done';
    }, { identity: p.identity });
    expect(result).toMatchObject({ changed: true, created: false, result: 'done' });
    expect(readFileSync(`${vaultFile}.bak`)).toEqual(first);
    const again = await openVault(p.dir, 'p', { identity: p.identity });
    expect(again.get('api.token')?.reveal()).toBe('n3w');
    expect(again.pendingRedeploy()).toEqual(['n8n']);
    expect(again.get(REDEPLOY_KEY)?.reveal()).toBe('n8n');
    // The salt survives, so fingerprints of unchanged values stay the same.
    expect(again.fingerprint('n8n.dbPassword')).toBe(vault.fingerprint('n8n.dbPassword'));
    expect(readdirSync(path.join(p.dir, 'vault')).sort()).toEqual(['p.age', 'p.age.bak', 'p.recipients']);
  });

  it('does not rewrite the file when nothing changed', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', secrets({ 'api.token': 'x1' }), [p.publicKey]);
    const file = path.join(p.dir, 'vault/p.age');
    const before = readFileSync(file);
    const mtime = statSync(file).mtimeMs;
    const result = await updateVault(p.dir, 'p', (m) => void m.set('api.token', Secret.of('x1')), { identity: p.identity });
    expect(result.changed).toBe(false);
    expect(readFileSync(file)).toEqual(before);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  it('creates a missing vault only when asked, encrypted to your own key, and writes the recipients file', async () => {
    const p = await tempProject();
    const missing = await rejection(updateVault(p.dir, 'p', (m) => void m.set('a.b', Secret.of('c')), { identity: p.identity }));
    expect(missing.code).toBe('vault-missing');
    expect(missing.message).toMatch(/no vault for profile 'p'/);
    const created = await updateVault(p.dir, 'p', (m) => void m.set('a.b', Secret.of('c')), { identity: p.identity, create: true });
    expect(created).toMatchObject({ changed: true, created: true, recipients: [p.publicKey] });
    expect(readFileSync(path.join(p.dir, 'vault/p.recipients'), 'utf8')).toContain(p.publicKey);
  });

  it('leaves the vault untouched when the change throws', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', secrets({ 'a.b': '1' }), [p.publicKey]);
    const file = path.join(p.dir, 'vault/p.age');
    const before = readFileSync(file);
    await expect(updateVault(p.dir, 'p', (m) => {
      m.set('a.b', Secret.of('2'));
      throw new WizardError('secret-invalid', 'stop', 'test');
    }, { identity: p.identity })).rejects.toThrow('stop');
    await expect(updateVault(p.dir, 'p', (m) => void m.set('Bad key', Secret.of('2')), { identity: p.identity })).rejects.toThrow(/key Bad key/);
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('reports a vault that is not encrypted to your key with your key and its recipient count', async () => {
    const p = await tempProject();
    const a = await otherIdentity(p, 'a');
    const b = await otherIdentity(p, 'b');
    await createVault(p.dir, 'p', secrets({ 'a.b': '1' }), [a.publicKey, b.publicKey]);
    const error = await rejection(openVault(p.dir, 'p', { identity: p.identity }));
    expect(error.code).toBe('vault-not-recipient');
    expect(error.message).toBe(`${path.join(p.dir, 'vault/p.age')} is not encrypted to your key ${p.publicKey} (it is encrypted to 2 recipients)`);
    expect(error.hint).toContain(`secrets recipients add ${p.publicKey}`);
    expect((await openVault(p.dir, 'p', { identity: b.identity })).get('a.b')?.reveal()).toBe('1');
  });

  it('refuses a write that would lock the writer out', async () => {
    const p = await tempProject();
    const a = await otherIdentity(p, 'a');
    await createVault(p.dir, 'p', secrets({ 'a.b': '1' }), [a.publicKey, p.publicKey]);
    writeFileSync(path.join(p.dir, 'vault/p.recipients'), `${a.publicKey}\n`);
    const error = await rejection(updateVault(p.dir, 'p', (m) => void m.set('a.b', Secret.of('2')), { identity: p.identity }));
    expect(error.message).toContain('would lock you out');
  });

  it('refuses a recipients file with a bad checksum, naming the line', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', secrets({ 'a.b': '1' }), [p.publicKey]);
    const broken = p.publicKey.slice(0, -1) + (p.publicKey.endsWith('q') ? 'p' : 'q');
    writeFileSync(path.join(p.dir, 'vault/p.recipients'), `${p.publicKey}\n${broken}\n`);
    const error = await rejection(updateVault(p.dir, 'p', (m) => void m.set('a.b', Secret.of('2')), { identity: p.identity }));
    expect(error.code).toBe('recipient-invalid');
    expect(error.issues[0]?.message).toMatch(/checksum/);
  });

  it('refuses to replace an existing vault with createVault', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', secrets({ 'a.b': '1' }), [p.publicKey]);
    expect((await rejection(createVault(p.dir, 'p', secrets({}), [p.publicKey]))).code).toBe('vault-exists');
  });
});

describe('identity', () => {
  it('finds the identity in XDG_CONFIG_HOME, in a file named by HOMELAB_WIZARD_IDENTITY, or in the variable itself', async () => {
    const p = await tempProject();
    const fromXdg = await loadIdentity({ env: p.env });
    expect(fromXdg.publicKey).toBe(p.publicKey);
    expect(fromXdg.source).toBe(p.identityFile);
    const other = await otherIdentity(p);
    expect((await loadIdentity({ env: other.env })).publicKey).toBe(other.publicKey);
    const key = readFileSync(p.identityFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1')) as string;
    const inVariable = await loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: key } });
    expect(inVariable.publicKey).toBe(p.publicKey);
    expect(inVariable.source).toBe('HOMELAB_WIZARD_IDENTITY');
  });

  it('says what to do when there is no identity, and never prints a damaged key', async () => {
    const p = await tempProject('p', { identity: false });
    const missing = await rejection(loadIdentity({ env: p.env }));
    expect(missing.code).toBe('identity-missing');
    expect(missing.hint).toContain('homelab-wizard keys init');
    const damaged = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
    const bad = await rejection(loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: damaged } }));
    expect(bad.code).toBe('identity-invalid');
    expect(`${bad.message} ${bad.hint} ${JSON.stringify(bad.issues)}`).not.toContain(damaged);
    const pointsNowhere = await rejection(loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: path.join(p.dir, 'nope.txt') } }));
    expect(pointsNowhere.message).toContain('points to');
  });

  it('warns when the identity file can be read by others', async () => {
    const p = await tempProject();
    const { chmodSync } = await import('node:fs');
    chmodSync(p.identityFile, 0o644);
    const notices: string[] = [];
    await loadIdentity({ env: p.env, notice: (l) => notices.push(l) });
    expect(notices.join('\n')).toMatch(/can be read by other users \(mode 0644\)/);
  });

  it('asks for the passphrase of a protected identity once per command, and again after a wrong one', async () => {
    const p = await tempProject('p', { identity: false });
    const file = path.join(p.dir, 'protected.txt');
    const { createIdentityFile } = await import('../../src/vault/identity.js');
    const { publicKey } = await createIdentityFile(file, { now: new Date(), passphrase: Secret.of('correct horse battery'), logN: 10 });
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    const answers = ['wrong one here', 'correct horse battery'];
    let asked = 0;
    const notices: string[] = [];
    const provider = identityProvider({ env: { HOMELAB_WIZARD_IDENTITY: file }, askPassphrase: async () => Secret.of(answers[asked++] as string), notice: (l) => notices.push(l) });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).toBe(b);
    expect(a.publicKey).toBe(publicKey);
    expect(asked).toBe(2);
    expect(notices).toEqual(['wrong passphrase, try again']);
    const fromEnv = await loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: file, HOMELAB_WIZARD_PASSPHRASE: 'correct horse battery' } });
    expect(fromEnv.publicKey).toBe(publicKey);
    const wrong = await rejection(loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: file, HOMELAB_WIZARD_PASSPHRASE: 'nope nope nope' } }));
    expect(wrong.message).toMatch(/^wrong passphrase for /);
    const noTerminal = await rejection(loadIdentity({ env: { HOMELAB_WIZARD_IDENTITY: file } }));
    expect(noTerminal.hint).toContain('HOMELAB_WIZARD_PASSPHRASE');
  });
});

describe('locks and atomic writes', () => {
  it('serialises concurrent read-modify-writes: none of ten updates is lost', async () => {
    const p = await tempProject();
    await createVault(p.dir, 'p', secrets({ 'seed.key': '0' }), [p.publicKey]);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        updateVault(p.dir, 'p', async (m) => {
          // Widen the read-to-write window: without the lock, every writer would start from the same base.
          await new Promise((r) => setTimeout(r, 5));
          m.set(`k.n${i}`, Secret.of(`v${i}`));
        }, { identity: p.identity }),
      ),
    );
    const vault = await openVault(p.dir, 'p', { identity: p.identity });
    expect(vault.keys()).toHaveLength(11);
  });

  it('takes over the lock of a dead process', async () => {
    const p = await tempProject();
    const file = path.join(p.dir, 'x.txt');
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid as number)));
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), command: 'secrets edit', since: '2026-01-01T00:00:00Z', token: 'dead' }));
    expect(await withLock(file, async () => 'got it', { timeoutMs: 2000 })).toBe('got it');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('waits for a live lock, then names its holder', async () => {
    const p = await tempProject();
    const file = path.join(p.dir, 'x.txt');
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(`${file}.lock`, JSON.stringify({ pid: holder.pid, host: (await import('node:os')).hostname(), command: 'secrets edit', since: '2026-11-25T19:40:00Z', token: 'live' }));
      const error = await rejection(withLock(file, async () => 'never', { timeoutMs: 300 }));
      expect(error.code).toBe('vault-locked');
      expect(error.message).toBe(`${file} is locked by pid ${holder.pid} (secrets edit) since 2026-11-25T19:40:00Z`);
      expect(error.hint).toContain(`remove ${file}.lock`);
    } finally {
      holder.kill();
    }
  });

  it('replaces files whole, keeps the previous version, keeps the mode, leaves no temporary file', async () => {
    const p = await tempProject();
    const file = path.join(p.dir, 'sub', 'f.txt');
    await atomicWrite(file, 'one', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await atomicWrite(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('one');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['f.txt', 'f.txt.bak']);
  });
});
