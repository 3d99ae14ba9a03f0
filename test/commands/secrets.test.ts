import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/contracts/io.js';
import { run } from '../../src/main.js';
import { writeProfileFile } from '../../src/vault/profile-file.js';
import { openVault } from '../../src/vault/vault.js';
import { captureIo } from '../helpers/io.js';
import { otherIdentity, removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';

afterAll(removeTempProjects);

/** Every output of every command in a test, to prove no secret value leaked into any of it. */
const captured: string[] = [];

async function cli(p: TempProject, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; io?: Partial<Io> } = {}): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: options.env ?? p.env, cwd: p.dir, readStdin: async () => options.stdin, ...options.io });
  const code = await run(args, io);
  captured.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

function twoLineError(err: string): void {
  expect(err).toMatch(/^error: .+\n(  .+\n)*  hint: .+\n$/);
  expect(err).not.toMatch(/internal error|\n\s+at /);
}

const VALUE = 'v4lue-that-must-stay-secret';

describe('secrets set / get / show', () => {
  it('stores a value from stdin (one trailing newline dropped), creates vault and recipients, never echoes it', async () => {
    const p = await tempProject();
    const set = await cli(p, ['secrets', 'set', 'api.token', '--profile', 'p'], { stdin: `${VALUE}\n` });
    expect(set.code).toBe(0);
    // Paths are shown relative to the current folder when inside it; these tests run elsewhere.
    expect(set.out).toMatch(/created \S*vault\/p\.age, encrypted to your key age1/);
    expect(set.out).toMatch(/stored api\.token in \S*vault\/p\.age/);
    expect(readFileSync(path.join(p.dir, 'vault/p.recipients'), 'utf8')).toContain(p.publicKey);
    expect((await openVault(p.dir, 'p', { identity: p.identity })).get('api.token')?.reveal()).toBe(VALUE);
    const get = await cli(p, ['secrets', 'get', 'api.token']);
    expect(get).toMatchObject({ code: 0, out: VALUE });
    const again = await cli(p, ['secrets', 'set', 'api.token', '--json'], { stdin: VALUE });
    expect(JSON.parse(again.out)).toMatchObject({ key: 'api.token', changed: false, created: false });
  });

  it('refuses bad keys, reserved keys, empty values and a missing value, changing nothing', async () => {
    const p = await tempProject();
    for (const [args, stdin, pattern] of [
      [['secrets', 'set', 'token'], VALUE, /key 'token' must be dotted/],
      [['secrets', 'set', 'homelab-wizard.redeploy'], 'n8n', /reserved/],
      [['secrets', 'set', 'api.token'], '\n', /is empty/],
      [['secrets', 'set', 'api.token'], undefined, /nothing on stdin and no terminal to ask/],
    ] as const) {
      const r = await cli(p, [...args], { stdin });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(pattern);
      twoLineError(r.err);
    }
    expect(existsSync(path.join(p.dir, 'vault'))).toBe(false);
  });

  it('checks the shape of known keys, unless told not to', async () => {
    const p = await tempProject();
    const bad = await cli(p, ['secrets', 'set', 'anthropic.apiKey'], { stdin: 'not-a-key' });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('does not look like Anthropic API key (sk-ant-api03-…)');
    expect((await cli(p, ['secrets', 'set', 'anthropic.apiKey', '--skip-shape-check'], { stdin: 'not-a-key' })).code).toBe(0);
  });

  it('generates from the policy once, and protects immutable values', async () => {
    const p = await tempProject();
    expect((await cli(p, ['secrets', 'set', 'n8n.encryptionKey', '--generate'])).code).toBe(0);
    const first = (await openVault(p.dir, 'p', { identity: p.identity })).get('n8n.encryptionKey')?.reveal();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const regen = await cli(p, ['secrets', 'set', 'n8n.encryptionKey', '--generate']);
    expect(regen.code).toBe(1);
    expect(regen.err).toContain('generating never replaces one');
    const replace = await cli(p, ['secrets', 'set', 'n8n.encryptionKey'], { stdin: 'imported-key' });
    expect(replace.code).toBe(1);
    expect(replace.err).toMatch(/must never change once deployed/);
    expect(replace.err).toContain('--replace-immutable');
    expect((await openVault(p.dir, 'p', { identity: p.identity })).get('n8n.encryptionKey')?.reveal()).toBe(first);
    expect((await cli(p, ['secrets', 'set', 'n8n.encryptionKey', '--replace-immutable'], { stdin: 'imported-key' })).code).toBe(0);
    expect((await cli(p, ['secrets', 'set', 'api.token', '--generate'])).err).toMatch(/no generation policy/);
  });

  it('shows keys with fingerprints and no values; --reveal shows values; --json never does', async () => {
    const p = await tempProject();
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    await cli(p, ['secrets', 'set', 'n8n.dbPassword', '--generate']);
    const show = await cli(p, ['secrets', 'show']);
    expect(show.code).toBe(0);
    expect(show.out).toMatch(/^\S*vault\/p\.age: 2 secrets, encrypted to 1 recipient\n/);
    expect(show.out).toMatch(/api\.token\s+[0-9a-f]{12}\s+-\n/);
    expect(show.out).toMatch(/n8n\.dbPassword\s+[0-9a-f]{12}\s+n8n\n/);
    expect(show.out).toContain('redeploy needed: n8n');
    expect(show.out).toContain('not generated yet: postgresql.superuserPassword, redis.password, n8n.encryptionKey, n8n.ownerPassword');
    expect(show.out).not.toContain(VALUE);
    const reveal = await cli(p, ['secrets', 'show', '--reveal']);
    expect(reveal.out).toContain(`api.token: "${VALUE}"`);
    const json = await cli(p, ['secrets', 'show', '--json']);
    const shown = JSON.parse(json.out);
    expect(shown.secrets.map((s: { key: string }) => s.key)).toEqual(['api.token', 'n8n.dbPassword']);
    expect(shown.redeploy).toEqual(['n8n']);
    expect(json.out).not.toContain(VALUE);
    const both = await cli(p, ['secrets', 'show', '--json', '--reveal']);
    expect(both.code).toBe(1);
    expect((await cli(p, ['secrets', 'get', 'api.token', '--json'])).code).toBe(1);
  });

  it('names an unknown key with a suggestion; a missing vault and a missing identity with what to do', async () => {
    const p = await tempProject();
    const noVault = await cli(p, ['secrets', 'show']);
    expect(noVault.code).toBe(1);
    expect(noVault.err).toMatch(/no vault for profile 'p'/);
    twoLineError(noVault.err);
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const unknown = await cli(p, ['secrets', 'get', 'api.tokn']);
    expect(unknown.err).toMatch(/^error: no secret api\.tokn in \S*vault\/p\.age\n  hint: did you mean api\.token\?/);
    rmSync(p.identityFile);
    const noIdentity = await cli(p, ['secrets', 'get', 'api.token']);
    expect(noIdentity.code).toBe(1);
    expect(noIdentity.err).toContain('hint: create one with `homelab-wizard keys init`');
    const noProfile = await cli(p, ['secrets', 'show', '--profile', 'nope']);
    expect(noProfile.err).toMatch(/no profile 'nope'/);
    expect((await cli(p, ['secrets', 'show', '--profile', '../etc'])).err).toMatch(/is not a profile name/);
  });

  it('reports another identity as not a recipient, with exit 1 and the vault unchanged', async () => {
    const p = await tempProject();
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const other = await otherIdentity(p);
    const file = path.join(p.dir, 'vault/p.age');
    const before = readFileSync(file);
    const r = await cli(p, ['secrets', 'set', 'api.token'], { env: other.env, stdin: 'overwrite' });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`is not encrypted to your key ${other.publicKey} (it is encrypted to 1 recipient)`);
    expect(readFileSync(file)).toEqual(before);
  });
});

describe('secrets rotate', () => {
  it('renews generated values, refuses immutable and supplied ones, records the redeploy', async () => {
    const p = await tempProject();
    for (const key of ['n8n.encryptionKey', 'n8n.dbPassword', 'redis.password']) await cli(p, ['secrets', 'set', key, '--generate']);
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const before = await openVault(p.dir, 'p', { identity: p.identity });
    const one = await cli(p, ['secrets', 'rotate', 'redis.password']);
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/rotated 1 secret in \S*vault\/p\.age: redis\.password/);
    // minimal.yaml runs n8n, which depends on redis: both must be redeployed.
    expect(one.out).toContain('redeploy needed: n8n, redis');
    const after = await openVault(p.dir, 'p', { identity: p.identity });
    expect(after.get('redis.password')?.reveal()).not.toBe(before.get('redis.password')?.reveal());
    expect(after.get('n8n.dbPassword')?.reveal()).toBe(before.get('n8n.dbPassword')?.reveal());
    expect(after.pendingRedeploy()).toEqual(['n8n', 'redis']);
    const immutable = await cli(p, ['secrets', 'rotate', 'n8n.encryptionKey']);
    expect(immutable.code).toBe(1);
    expect(immutable.err).toContain('n8n.encryptionKey can never be rotated');
    expect((await cli(p, ['secrets', 'rotate', 'api.token'])).err).toContain('not a secret homelab-wizard generates');
    const unconfirmed = await cli(p, ['secrets', 'rotate']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.err).toContain('pass --yes');
    const all = await cli(p, ['secrets', 'rotate', '--yes', '--json']);
    expect(JSON.parse(all.out)).toEqual({ rotated: ['n8n.dbPassword', 'redis.password'], redeploy: ['n8n', 'redis'], vault: path.join(p.dir, 'vault/p.age') });
    const last = await openVault(p.dir, 'p', { identity: p.identity });
    expect(last.get('n8n.encryptionKey')?.reveal()).toBe(before.get('n8n.encryptionKey')?.reveal());
    expect(last.get('api.token')?.reveal()).toBe(VALUE);
  });
});

describe('secrets recipients', () => {
  it('adds a key (re-encrypting), lists it, removes it, and refuses to remove your own', async () => {
    const p = await tempProject();
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const other = await otherIdentity(p);
    await expect(openVault(p.dir, 'p', { identity: other.identity })).rejects.toThrow(/not encrypted to your key/);
    const add = await cli(p, ['secrets', 'recipients', 'add', other.publicKey, '--comment', 'bob']);
    expect(add.code).toBe(0);
    expect(add.out).toContain('added age1');
    expect(add.out).toContain('re-encrypted vault/p.age');
    expect((await openVault(p.dir, 'p', { identity: other.identity })).get('api.token')?.reveal()).toBe(VALUE);
    expect(readFileSync(path.join(p.dir, 'vault/p.recipients'), 'utf8')).toContain(`${other.publicKey} # bob`);
    const list = await cli(p, ['secrets', 'recipients', 'list']);
    expect(list.out).toBe(`${p.publicKey}  (you)\n${other.publicKey}\n`);
    expect((await cli(p, ['secrets', 'recipients', 'add', other.publicKey])).out).toContain('already a recipient');
    const own = await cli(p, ['secrets', 'recipients', 'remove', p.publicKey]);
    expect(own.code).toBe(1);
    expect(own.err).toContain('would lock you out');
    const remove = await cli(p, ['secrets', 'recipients', 'remove', other.publicKey]);
    expect(remove.code).toBe(0);
    expect(remove.err).toContain('rotate them');
    await expect(openVault(p.dir, 'p', { identity: other.identity })).rejects.toThrow(/not encrypted to your key/);
    const bad = await cli(p, ['secrets', 'recipients', 'add', 'age1notakey']);
    expect(bad.code).toBe(1);
    twoLineError(bad.err);
    const typo = other.publicKey.slice(0, -1) + (other.publicKey.endsWith('q') ? 'p' : 'q');
    expect((await cli(p, ['secrets', 'recipients', 'add', typo])).err).toMatch(/checksum/);
  });
});

describe('encrypted profile', () => {
  it('is read transparently by profile check, profile show and the secrets commands, and re-encrypted with the recipients', async () => {
    const p = await tempProject();
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const plain = readFileSync(path.join(p.dir, 'profiles/p.yaml'), 'utf8');
    await writeProfileFile(p.dir, 'p', plain, { encrypted: true, identity: p.identity });
    expect(existsSync(path.join(p.dir, 'profiles/p.yaml'))).toBe(false);
    const encrypted = readFileSync(path.join(p.dir, 'profiles/p.yaml.age'), 'utf8');
    expect(encrypted).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(encrypted).not.toContain('203.0.113.10');
    const check = await cli(p, ['profile', 'check']);
    expect(check).toMatchObject({ code: 0 });
    expect(check.out).toContain(`${path.join(p.dir, 'profiles/p.yaml.age')}: valid (1 host, 8 services)`);
    const show = await cli(p, ['profile', 'show', '--json']);
    expect(JSON.parse(show.out).hosts[0].address).toBe('203.0.113.10');
    // The profile is read for the missing-secrets report too.
    expect((await cli(p, ['secrets', 'show'])).out).toContain('not generated yet: postgresql.superuserPassword');
    const other = await otherIdentity(p);
    expect((await cli(p, ['profile', 'check'], { env: other.env })).err).toMatch(/profiles\/p\.yaml\.age is not encrypted to your key/);
    const add = await cli(p, ['secrets', 'recipients', 'add', other.publicKey]);
    expect(add.out).toContain('re-encrypted vault/p.age and profiles/p.yaml.age');
    expect((await cli(p, ['profile', 'check'], { env: other.env })).code).toBe(0);
    const textconv = await cli(p, ['secrets', 'textconv', 'profiles/p.yaml.age']);
    expect(parse(textconv.out)).toMatchObject({ hosts: [{ address: '203.0.113.10' }] });
    // Writing it plain again removes the encrypted form: a profile never exists twice.
    await writeProfileFile(p.dir, 'p', plain, { encrypted: false });
    expect(existsSync(path.join(p.dir, 'profiles/p.yaml.age'))).toBe(false);
    expect((await cli(p, ['profile', 'check'])).code).toBe(0);
  });
});

describe('secrets edit, editor failures', () => {
  it('names a missing editor and a failed one, and changes nothing', async () => {
    const p = await tempProject();
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const file = path.join(p.dir, 'vault/p.age');
    const before = readFileSync(file);
    const missing = await cli(p, ['secrets', 'edit'], { env: { ...p.env, EDITOR: 'no-such-editor-here' } });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: cannot find the editor 'no-such-editor-here'; nothing was changed\n  hint: /);
    const failed = await cli(p, ['secrets', 'edit'], { env: { ...p.env, VISUAL: 'exit 3 #', EDITOR: 'true' } });
    expect(failed.err).toMatch(/^error: the editor \(exit 3 #\) exited with status 3; nothing was changed/);
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('secrets textconv', () => {
  it('prints the decrypted vault for git diff, nothing for an empty file, a clean error for others', async () => {
    const p = await tempProject();
    await cli(p, ['secrets', 'set', 'api.token'], { stdin: VALUE });
    const out = await cli(p, ['secrets', 'textconv', 'vault/p.age']);
    expect(out.code).toBe(0);
    expect(parse(out.out)).toMatchObject({ 'api.token': VALUE });
    writeFileSync(path.join(p.dir, 'empty.age'), '');
    expect(await cli(p, ['secrets', 'textconv', 'empty.age'])).toMatchObject({ code: 0, out: '' });
    const notAge = await cli(p, ['secrets', 'textconv', 'profiles/p.yaml']);
    expect(notAge.code).toBe(1);
    expect(notAge.err).toMatch(/^error: profiles\/p\.yaml is not an age file/);
    expect((await cli(p, ['secrets', 'textconv', 'missing.age'])).err).toMatch(/cannot read missing\.age: ENOENT/);
  });
});

describe('keys init', () => {
  it('writes a 0600 identity in a 0700 folder, prints the public key, refuses to overwrite', async () => {
    const p = await tempProject('p', { identity: false });
    const r = await cli(p, ['keys', 'init']);
    expect(r.code).toBe(0);
    const file = path.join(p.dir, 'xdg/homelab-wizard/identity.txt');
    expect(r.out).toMatch(new RegExp(`^created ${file} \\(mode 0600\\)\\npublic key: age1[a-z0-9]{58}\\n$`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# created: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n# public key: age1[a-z0-9]{58}\nAGE-SECRET-KEY-1[A-Z0-9]{58}\n$/);
    const again = await cli(p, ['keys', 'init']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('an identity already exists at');
    expect(readFileSync(file, 'utf8')).toBe(text);
    const json = await cli(p, ['keys', 'init', '--json'], { env: { ...p.env, HOMELAB_WIZARD_IDENTITY: path.join(p.dir, 'second.txt') } });
    expect(JSON.parse(json.out)).toMatchObject({ file: path.join(p.dir, 'second.txt'), passphrase: false });
    const key = text.split('\n')[2] as string;
    expect((await cli(p, ['keys', 'init'], { env: { ...p.env, HOMELAB_WIZARD_IDENTITY: key } })).err).toContain('holds an identity itself');
  });

  it('protects the identity with a passphrase from the environment, and refuses short or missing ones', async () => {
    const p = await tempProject('p', { identity: false });
    const env = { ...p.env, HOMELAB_WIZARD_PASSPHRASE: 'a long enough passphrase', HOMELAB_WIZARD_TEST_SCRYPT_LOG_N: '10' };
    const r = await cli(p, ['keys', 'init', '--passphrase'], { env });
    expect(r.code).toBe(0);
    expect(r.err).toContain('weakens the passphrase protection');
    // What the wait is, and how long it took, rather than a promise of "about a second".
    expect(r.err).toMatch(/scrypt at work factor 2\^10, deliberately slow/);
    expect(r.err).toMatch(/encrypted in \d+\.\d s; unlocking it takes about as long each time/);
    expect(r.err).not.toContain('about a second');
    const file = path.join(p.dir, 'xdg/homelab-wizard/identity.txt');
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(readFileSync(file, 'utf8')).not.toContain('AGE-SECRET-KEY');
    const set = await cli(p, ['secrets', 'set', 'api.token'], { env, stdin: VALUE });
    expect(set.code).toBe(0);
    const locked = await cli(p, ['secrets', 'get', 'api.token'], { env: p.env });
    expect(locked.code).toBe(1);
    expect(locked.err).toContain('set HOMELAB_WIZARD_PASSPHRASE');
    rmSync(file);
    expect((await cli(p, ['keys', 'init', '--passphrase'], { env: { ...env, HOMELAB_WIZARD_PASSPHRASE: 'short' } })).err).toContain('shorter than 10 characters');
    expect((await cli(p, ['keys', 'init', '--passphrase'], { env: p.env })).err).toContain('cannot prompt here');
    expect(existsSync(file)).toBe(false);
  });
});

describe('no secret value in any captured output', () => {
  it('appears only where asked for: get, show --reveal, textconv', () => {
    const leaks = captured.filter((text) => text.includes(VALUE));
    // The capture works: the commands that print values on purpose did.
    expect(leaks.length).toBeGreaterThanOrEqual(3);
    // The three places that print values on purpose, each once per test that asked.
    for (const leak of leaks) expect(leak === VALUE || leak.includes(`api.token: "${VALUE}"`), leak).toBe(true);
    expect(captured.filter((t) => t.includes(VALUE) && (t.startsWith('error:') || t.startsWith('{')))).toEqual([]);
  });
});
