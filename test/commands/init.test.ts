import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { run } from '../../src/main.js';
import { captureIo } from '../helpers/io.js';
import { REPO } from '../helpers/profiles.js';
import { ensureCommands } from '../helpers/system-packages.js';

const ANSWERS = path.join(REPO, 'profiles/answers.example.yaml');
let identity = '';
beforeAll(async () => {
  identity = await generateIdentity();
});

function setup() {
  const root = mkdtempSync(path.join(tmpdir(), 'hlw-init-'));
  const dir = path.join(root, 'infra');
  const env = { HOMELAB_WIZARD_IDENTITY: identity, XDG_CONFIG_HOME: path.join(root, 'config') };
  const cli = async (...args: string[]) => {
    const io = captureIo({ cwd: root, env });
    const code = await run([...args, '--dir', dir], io);
    return { code, out: io.out(), err: io.err() };
  };
  return { root, dir, cli };
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('init with an answers file', () => {
  it('writes an encrypted profile that passes profile check and a vault with every generated secret; a second run changes no secret', async () => {
    const { dir, cli } = setup();
    const first = await cli('init', '--answers', ANSWERS, '--non-interactive');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('added hosts[0].services: docker (needed by n8n)');
    const profileFile = path.join(dir, 'profiles/minimal.yaml.age');
    expect(readFileSync(profileFile, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(existsSync(path.join(dir, 'profiles/minimal.yaml'))).toBe(false);
    expect((await cli('profile', 'check')).code).toBe(0);

    const shown = await cli('secrets', 'show', '--json');
    const keys = (JSON.parse(shown.out).secrets as { key: string }[]).map((s) => s.key).sort();
    expect(keys).toEqual(['n8n.dbPassword', 'n8n.encryptionKey', 'n8n.ownerPassword', 'postgresql.superuserPassword', 'redis.password']);

    const before = sha(path.join(dir, 'vault/minimal.age'));
    const second = await cli('init', '--answers', ANSWERS, '--non-interactive');
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain('profile minimal: no change');
    expect(sha(path.join(dir, 'vault/minimal.age'))).toBe(before);
  });

  it('writes a plain profile with --plain-profile', async () => {
    const { dir, cli } = setup();
    expect((await cli('init', '--answers', ANSWERS, '--non-interactive', '--plain-profile')).code).toBe(0);
    const text = readFileSync(path.join(dir, 'profiles/minimal.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./homelab-wizard.schema.json');
    expect(parse(text).hosts[0].services).toEqual(['docker', 'caddy', 'postgresql', 'redis', 'ufw', 'fail2ban', 'unattended-upgrades', 'n8n']);
    expect(existsSync(path.join(dir, 'profiles/homelab-wizard.schema.json'))).toBe(true);
  });

  it('lists every missing or invalid answer at once, by key, and writes nothing', async () => {
    const { root, dir, cli } = setup();
    const bad = parse(readFileSync(ANSWERS, 'utf8'));
    bad.project.name = 'Bad Name!';
    delete bad.domain;
    bad.hosts[0].ssh.targetPort = 'two';
    bad.secrets = { 'hetzner.token': { env: 'NOT_SET_ANYWHERE' } };
    const file = path.join(root, 'bad.yaml');
    writeFileSync(file, stringify(bad));
    const r = await cli('init', '--answers', file, '--non-interactive');
    expect(r.code).toBe(1);
    for (const key of ['secrets.hetzner.token', 'project.name', 'domain', 'hosts[0].ssh.targetPort']) expect(r.err).toContain(`${key}:`);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps the plain form on a re-run, and a switch asked for is announced and keeps the plain file as .bak', async () => {
    const { root, dir, cli } = setup();
    expect((await cli('init', '--answers', ANSWERS, '--non-interactive', '--plain-profile')).code).toBe(0);
    const plain = path.join(dir, 'profiles/minimal.yaml');
    const again = await cli('init', '--answers', ANSWERS, '--non-interactive');
    expect(again.code, again.err).toBe(0);
    expect(existsSync(path.join(dir, 'profiles/minimal.yaml.age'))).toBe(false);
    // A hand edit just before the switch: the .bak must be this very file, not an older copy.
    writeFileSync(plain, `${readFileSync(plain, 'utf8')}x-note: edited by hand\n`);
    const original = readFileSync(plain, 'utf8');
    const answers = parse(readFileSync(ANSWERS, 'utf8'));
    answers.output = { ...(answers.output ?? {}), encryptedProfile: true };
    const file = path.join(root, 'encrypt.yaml');
    writeFileSync(file, stringify(answers));
    const r = await cli('init', '--answers', file, '--non-interactive');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/form: plain → encrypted, written to profiles\/minimal\.yaml\.age\n\s+profiles\/minimal\.yaml is kept as profiles\/minimal\.yaml\.bak/);
    expect(existsSync(plain)).toBe(false);
    expect(readFileSync(`${plain}.bak`, 'utf8')).toBe(original);
    expect(readFileSync(path.join(dir, 'profiles/minimal.yaml.age'), 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
  });

  it('keeps keys it does not know and shows the diff when run again on an existing profile', async () => {
    const { dir, cli } = setup();
    expect((await cli('init', '--answers', ANSWERS, '--non-interactive', '--plain-profile')).code).toBe(0);
    const file = path.join(dir, 'profiles/minimal.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}x-owner: ops team\n`.replace('displayName: Minimal', 'displayName: Minimal # shown on dashboards'));
    const answers = parse(readFileSync(ANSWERS, 'utf8'));
    answers.hosts[0].address = '203.0.113.20';
    const changed = path.join(path.dirname(dir), 'changed.yaml');
    writeFileSync(changed, stringify(answers));
    const r = await cli('init', '--answers', changed, '--non-interactive');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('-    address: 203.0.113.10');
    expect(r.out).toContain('+    address: 203.0.113.20');
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('x-owner: ops team');
    expect(after).toContain('# shown on dashboards');
  });

  it('never loads Ink or React on the answers-file path (checked on the built command)', () => {
    const { root, dir } = setup();
    const r = spawnSync(process.execPath, ['--import', path.join(REPO, 'test/helpers/trace-imports.mjs'), path.join(REPO, 'bin/homelab-wizard.js'), 'init', '--answers', ANSWERS, '--dir', dir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, HOMELAB_WIZARD_IDENTITY: identity, XDG_CONFIG_HOME: path.join(root, 'config') },
    });
    expect(r.status, r.stderr).toBe(0);
    const imported = r.stderr.split('\n').filter((l) => l.startsWith('IMPORT ')).map((l) => l.slice(7));
    // The tracer saw the command's own chunks (age-encryption is inlined in the bundle; Ink and
    // React are not, so loading them would show as a bare import).
    const files = r.stderr.split('\n').filter((l) => l.startsWith('FILE ')).map((l) => l.slice(5));
    expect(files.some((f) => f.includes('/dist/bundle/'))).toBe(true);
    expect(imported.filter((p) => /^(ink|react|@inkjs\/ui|ink-)/.test(p))).toEqual([]);
  });

  it('needs an answers file without a terminal, and says so', async () => {
    const { dir, cli } = setup();
    const r = await cli('init');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/init needs a terminal for the wizard, or an answers file\n {2}hint: .*--answers FILE/);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe('init with an answers file on a machine with no SSH key', () => {
  /** The example answers with the key read from ~/.ssh/id_ed25519.pub of a fresh home (no ~/.ssh). */
  function noKey(extra: Record<string, unknown> = {}) {
    const { root, dir } = setup();
    const home = path.join(root, 'home');
    const answers = parse(readFileSync(ANSWERS, 'utf8'));
    answers.operator = { sshPublicKeyFiles: ['~/.ssh/id_ed25519.pub'], ...extra };
    const file = path.join(root, 'answers.yaml');
    writeFileSync(file, stringify(answers));
    const cli = async (env: Record<string, string>, ...args: string[]) => {
      const io = captureIo({ cwd: root, env: { HOMELAB_WIZARD_IDENTITY: identity, XDG_CONFIG_HOME: path.join(root, 'config'), HOME: home, ...env } });
      const code = await run([...args, '--dir', dir], io);
      return { code, out: io.out(), err: io.err() };
    };
    return { dir, home, file, cli };
  }
  const readPublic = (key: string, ...args: string[]) => spawnSync('ssh-keygen', ['-y', ...args, '-f', key], { encoding: 'utf8' });
  beforeAll(() => ensureCommands({ 'ssh-keygen': 'openssh-client' }));

  it('stops naming the flag that creates the key, and writes nothing', async () => {
    const { dir, home, file, cli } = noKey();
    const r = await cli({}, 'init', '--answers', file, '--non-interactive');
    expect(r.code).toBe(1);
    expect(r.err).toContain('operator.sshPublicKeyFiles[0]: cannot read ~/.ssh/id_ed25519.pub: it does not exist; pass --create-ssh-key (or set operator.createSshKey: true) to create an ed25519 key there');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(path.join(home, '.ssh'))).toBe(false);
  });

  it('--create-ssh-key creates ~/.ssh/id_ed25519 (0600, OpenSSH reads it) and the profile uses its public key', async () => {
    const { dir, home, file, cli } = noKey();
    const r = await cli({}, 'init', '--answers', file, '--non-interactive', '--plain-profile', '--create-ssh-key');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('created the SSH key ~/.ssh/id_ed25519 (ed25519, no passphrase) and ~/.ssh/id_ed25519.pub');
    const key = path.join(home, '.ssh/id_ed25519');
    const read = readPublic(key);
    expect(read.status, read.stderr).toBe(0);
    const profile = parse(readFileSync(path.join(dir, 'profiles/minimal.yaml'), 'utf8'));
    expect(profile.operator.sshPublicKeys[0].split(' ').slice(0, 2)).toEqual(read.stdout.trim().split(' ').slice(0, 2));
    expect(profile.operator).not.toHaveProperty('identityFile');
    expect(profile.operator).not.toHaveProperty('createSshKey');
  });

  it('operator.createSshKey with a passphrase from the environment: the key is encrypted with it, the passphrase is in no output', async () => {
    const pass = 'tr0ub4dor & 3 spaces';
    const { home, file, cli } = noKey({ createSshKey: { passphraseEnv: 'KEY_PASSPHRASE' } });
    const missing = await cli({}, 'init', '--answers', file, '--non-interactive', '--plain-profile');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('operator.createSshKey.passphraseEnv: the environment variable KEY_PASSPHRASE is not set');
    expect(existsSync(path.join(home, '.ssh'))).toBe(false);

    const r = await cli({ KEY_PASSPHRASE: pass }, 'init', '--answers', file, '--non-interactive', '--plain-profile');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('created the SSH key ~/.ssh/id_ed25519 (ed25519, protected by your passphrase)');
    // No agent in this environment: it says how to load the key, as the tool uses protected keys.
    expect(r.out).toContain('before apply, load it into ssh-agent: eval "$(ssh-agent)" && ssh-add ~/.ssh/id_ed25519');
    expect(`${r.out}${r.err}`).not.toContain(pass);
    const key = path.join(home, '.ssh/id_ed25519');
    expect(readPublic(key, '-P', '').status).not.toBe(0);
    expect(readPublic(key, '-P', pass).status).toBe(0);
  });

  it('never replaces an existing private key', async () => {
    const { home, file, cli } = noKey();
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    writeFileSync(path.join(home, '.ssh/id_ed25519'), 'an existing key\n');
    const r = await cli({}, 'init', '--answers', file, '--non-interactive', '--plain-profile', '--create-ssh-key');
    expect(r.code).toBe(1);
    expect(r.err).toContain('already exists; an SSH key is never replaced');
    expect(readFileSync(path.join(home, '.ssh/id_ed25519'), 'utf8')).toBe('an existing key\n');
  });
});

