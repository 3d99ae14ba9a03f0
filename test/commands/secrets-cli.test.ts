import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUFFER_PREFIX, RAM_ROOT } from '../../src/vault/edit-buffer.js';
import { REPO } from '../helpers/profiles.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { TmuxSession } from '../helpers/tmux.js';

/**
 * The built command (`node bin/homelab-wizard.js`, as `npm test` builds it first) in separate
 * processes: the "done when" scenario, concurrent writers, and `secrets edit` with editor
 * scripts, interrupted by signals. Each test works in an empty temp folder with its own HOME and
 * XDG_CONFIG_HOME.
 */
const BIN = path.join(REPO, 'bin/homelab-wizard.js');
const folders: string[] = [];
const children: ChildProcess[] = [];
const sessions: TmuxSession[] = [];
/** Editor scripts that sleep record their pid here, so none outlives the tests. */
const editorPids = path.join(mkdtempSync(path.join(tmpdir(), 'hlw-editor-pids-')), 'pids');

beforeAll(() => ensureCommands({ age: 'age', 'age-keygen': 'age', tmux: 'tmux' }), 600_000);
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const s of sessions) s.kill();
  for (const pid of existsSync(editorPids) ? readFileSync(editorPids, 'utf8').split('\n').filter(Boolean).map(Number) : []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(path.dirname(editorPids), { recursive: true, force: true });
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

interface Project {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly identity: string;
}

function emptyProject(): Project {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-cli-vault-'));
  folders.push(dir);
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg'), LANG: 'C.UTF-8', NO_COLOR: '1' };
  mkdirSync(env['HOME'] as string);
  return { dir, env, identity: path.join(dir, 'xdg/homelab-wizard/identity.txt') };
}

function cli(p: Project, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: p.dir, env: options.env ?? p.env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.stdin ?? '');
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function script(p: Project, name: string, body: string): string {
  const file = path.join(p.dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

async function project(): Promise<Project> {
  const p = emptyProject();
  expect((await cli(p, ['keys', 'init'])).code).toBe(0);
  mkdirSync(path.join(p.dir, 'profiles'));
  copyFileSync(path.join(REPO, 'profiles/minimal.yaml'), path.join(p.dir, 'profiles/p.yaml'));
  expect((await cli(p, ['secrets', 'set', 'api.token', '--profile', 'p'], { stdin: 's3cr3t' })).code).toBe(0);
  return p;
}

/** Edit buffers this process's children left in RAM or in the temp folder. */
function buffersOf(pid: number | undefined): string[] {
  const found: string[] = [];
  for (const root of [RAM_ROOT, tmpdir()]) {
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.startsWith(BUFFER_PREFIX))) {
      const owner = path.join(root, name, 'owner');
      if (existsSync(owner) && Number(readFileSync(owner, 'utf8')) === pid) found.push(path.join(root, name));
    }
  }
  return found;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Regular files under `dir` changed since `since` whose content includes `text` (unreadable entries skipped). */
function filesContaining(dir: string, text: string, since = 0): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(d, name);
      try {
        const st = statSync(full);
        if (st.isDirectory() && depth < 6) walk(full, depth + 1);
        else if (st.isFile() && st.mtimeMs >= since && st.size < 1_000_000 && readFileSync(full).includes(text)) out.push(full);
      } catch {
        // Gone or unreadable: not ours.
      }
    }
  };
  walk(dir, 0);
  return out;
}

describe('done when: the scenario of the issue, with the built CLI in an empty folder', () => {
  it('keys init; secrets set from a pipe; age -d reads it; another identity fails cleanly; EDITOR changes; invalid YAML refused', async () => {
    const p = emptyProject();
    const init = await cli(p, ['keys', 'init']);
    expect(init.code).toBe(0);
    const publicKey = /public key: (age1[a-z0-9]+)/.exec(init.stdout)?.[1];
    expect(publicKey).toBeDefined();
    mkdirSync(path.join(p.dir, 'profiles'));
    copyFileSync(path.join(REPO, 'profiles/minimal.yaml'), path.join(p.dir, 'profiles/p.yaml'));

    const set = await cli(p, ['secrets', 'set', 'api.token', '--profile', 'p'], { stdin: 's3cr3t' });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout + set.stderr).not.toContain('s3cr3t');
    expect(readFileSync(path.join(p.dir, 'vault/p.recipients'), 'utf8')).toContain(publicKey);

    const { execFileSync } = await import('node:child_process');
    const decrypted = execFileSync('age', ['-d', '-i', p.identity, 'vault/p.age'], { cwd: p.dir, encoding: 'utf8', timeout: 20_000 });
    expect(parse(decrypted)['api.token']).toBe('s3cr3t');

    const vault = path.join(p.dir, 'vault/p.age');
    const before = sha256(vault);
    execFileSync('age-keygen', ['-o', path.join(p.dir, 'other.key')], { stdio: 'ignore', timeout: 20_000 });
    const other = await cli(p, ['secrets', 'show', '--profile', 'p'], { env: { ...p.env, HOMELAB_WIZARD_IDENTITY: path.join(p.dir, 'other.key') } });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^error: vault\/p\.age is not encrypted to your key age1[a-z0-9]+ \(it is encrypted to 1 recipient\)\n  hint: /);
    expect(other.stderr).not.toMatch(/\n\s+at /);
    const otherSet = await cli(p, ['secrets', 'set', 'api.token', '--profile', 'p'], { stdin: 'hijack', env: { ...p.env, HOMELAB_WIZARD_IDENTITY: path.join(p.dir, 'other.key') } });
    expect(otherSet.code).toBe(1);
    expect(sha256(vault)).toBe(before);

    const change = script(p, 'change.sh', `sed -i 's/^api.token: .*/api.token: "ch4nged"/' "$1"`);
    const edit = await cli(p, ['secrets', 'edit', '--profile', 'p'], { env: { ...p.env, EDITOR: change } });
    expect(edit.code, edit.stderr).toBe(0);
    expect(edit.stdout).toContain('stored 1 change in vault/p.age: api.token');
    expect((await cli(p, ['secrets', 'get', 'api.token', '--profile', 'p'])).stdout).toBe('ch4nged');

    const edited = sha256(vault);
    const bufferDir = path.join(p.dir, 'buffer-dir.txt');
    const invalid = script(p, 'invalid.sh', `dirname "$1" > '${bufferDir}'\nprintf 'api.token: [unclosed\\n' > "$1"`);
    const refused = await cli(p, ['secrets', 'edit', '--profile', 'p', '--non-interactive'], { env: { ...p.env, EDITOR: invalid } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the edited secrets have 1 problem; vault\/p\.age is unchanged\n  line \d+: .+\n  hint: /);
    expect(sha256(vault)).toBe(edited);
    // The refused buffer is gone too.
    expect(readFileSync(bufferDir, 'utf8').trim()).toMatch(new RegExp(`^${RAM_ROOT}/${BUFFER_PREFIX}`));
    expect(existsSync(readFileSync(bufferDir, 'utf8').trim())).toBe(false);
  }, 120_000);
});

describe('concurrent writers in separate processes', () => {
  it('four simultaneous `secrets set` lose nothing', async () => {
    const p = await project();
    const results = await Promise.all(['one', 'two', 'three', 'four'].map((k) => cli(p, ['secrets', 'set', `c.${k}`], { stdin: `value-${k}` })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const shown = JSON.parse((await cli(p, ['secrets', 'show', '--json'])).stdout);
    expect(shown.secrets.map((s: { key: string }) => s.key)).toEqual(['api.token', 'c.four', 'c.one', 'c.three', 'c.two']);
  }, 60_000);

  it('a `secrets set` during a `secrets edit` waits for it; both changes are kept', async () => {
    const p = await project();
    const go = path.join(p.dir, 'go');
    const editor = script(p, 'slow.sh', `while [ ! -e '${go}' ]; do sleep 0.05; done\nsed -i 's/^api.token: .*/api.token: "from-edit"/' "$1"`);
    const edit = spawn(process.execPath, [BIN, 'secrets', 'edit'], { cwd: p.dir, env: { ...p.env, EDITOR: editor }, stdio: 'ignore' });
    children.push(edit);
    const exited = new Promise((r) => edit.on('exit', r));
    await waitFor(() => existsSync(path.join(p.dir, 'vault/p.age.lock')) && buffersOf(edit.pid).length === 1, 'the editor to open');
    const set = cli(p, ['secrets', 'set', 'other.key'], { stdin: 'from-set' });
    await sleep(700);
    // The set is still waiting for the lock while the editor is open.
    expect(JSON.parse(readFileSync(path.join(p.dir, 'vault/p.age.lock'), 'utf8'))).toMatchObject({ pid: edit.pid, command: 'secrets edit' });
    writeFileSync(go, '');
    expect((await set).code).toBe(0);
    await exited;
    expect(edit.exitCode).toBe(0);
    expect((await cli(p, ['secrets', 'get', 'api.token'])).stdout).toBe('from-edit');
    expect((await cli(p, ['secrets', 'get', 'other.key'])).stdout).toBe('from-set');
  }, 60_000);
});

describe('secrets edit', () => {
  it('does not rewrite the vault when nothing changed', async () => {
    const p = await project();
    const vault = path.join(p.dir, 'vault/p.age');
    const before = readFileSync(vault);
    const r = await cli(p, ['secrets', 'edit'], { env: { ...p.env, EDITOR: 'true' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no changes; vault/p.age was not rewritten');
    expect(readFileSync(vault)).toEqual(before);
    expect(existsSync(`${vault}.bak`)).toBe(false);
  });

  it('hands the editor a 0600 buffer in a 0700 folder in RAM, runs EDITOR through the shell, removes it after', async () => {
    const p = await project();
    const report = path.join(p.dir, 'report.txt');
    // EDITOR="inspect.sh --wait": the flag comes first, the buffer last.
    const editor = script(p, 'inspect.sh', `stat -c '%a %n' "$2" "$(dirname "$2")" > '${report}'; echo "args:$#:$1" >> '${report}'`);
    const r = await cli(p, ['secrets', 'edit'], { env: { ...p.env, EDITOR: `${editor} --wait` } });
    expect(r.code, r.stderr).toBe(0);
    const [file, dir, args] = readFileSync(report, 'utf8').trim().split('\n');
    expect(file).toMatch(new RegExp(`^600 ${RAM_ROOT}/${BUFFER_PREFIX}[^/]+/secrets\\.yaml$`));
    expect(dir).toMatch(new RegExp(`^700 ${RAM_ROOT}/${BUFFER_PREFIX}`));
    expect(args).toBe('args:2:--wait');
    expect(existsSync(path.dirname(file?.split(' ')[1] ?? ''))).toBe(false);
  });

  it('on SIGINT, SIGTERM and SIGHUP: exits by that signal, removes the buffer and the lock, leaves the vault as it was', async () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const started = Date.now() - 1000;
      const p = await project();
      const vault = path.join(p.dir, 'vault/p.age');
      const before = sha256(vault);
      // A marker made at run time and passed in the environment: no file (script, test source, cache) holds it.
      const marker = `half-${randomBytes(6).toString('hex')}`;
      const editor = script(p, 'sleepy.sh', `sed -i "s/^api.token: .*/api.token: \\"$EDIT_MARKER\\"/" "$1"\necho $$ >> '${editorPids}'\nexec sleep 30`);
      const edit = spawn(process.execPath, [BIN, 'secrets', 'edit'], { cwd: p.dir, env: { ...p.env, EDITOR: editor, EDIT_MARKER: marker }, stdio: 'ignore' });
      children.push(edit);
      await waitFor(() => buffersOf(edit.pid).some((b) => existsSync(path.join(b, 'secrets.yaml')) && readFileSync(path.join(b, 'secrets.yaml'), 'utf8').includes(marker)), 'the editor to write');
      const buffer = buffersOf(edit.pid)[0] as string;
      edit.kill(signal);
      const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => edit.on('exit', (c, s) => r([c, s])));
      expect(sig ?? code, signal).toBe(signal);
      expect(existsSync(buffer), `${signal}: buffer removed`).toBe(false);
      expect(existsSync(`${vault}.lock`)).toBe(false);
      expect(sha256(vault)).toBe(before);
      expect(filesContaining(p.dir, marker)).toEqual([]);
      expect(filesContaining(tmpdir(), marker, started)).toEqual([]);
    }
  }, 60_000);

  it('after SIGKILL: the plaintext stays only in the RAM folder, the vault is intact, and the next run cleans up', async () => {
    const started = Date.now() - 1000;
    const p = await project();
    const vault = path.join(p.dir, 'vault/p.age');
    const before = sha256(vault);
    const marker = `killed-${randomBytes(6).toString('hex')}`;
    const editor = script(p, 'sleepy.sh', `sed -i "s/^api.token: .*/api.token: \\"$EDIT_MARKER\\"/" "$1"\necho $$ >> '${editorPids}'\nexec sleep 30`);
    const edit = spawn(process.execPath, [BIN, 'secrets', 'edit'], { cwd: p.dir, env: { ...p.env, EDITOR: editor, EDIT_MARKER: marker }, stdio: 'ignore' });
    children.push(edit);
    await waitFor(() => buffersOf(edit.pid).some((b) => existsSync(path.join(b, 'secrets.yaml')) && readFileSync(path.join(b, 'secrets.yaml'), 'utf8').includes(marker)), 'the editor to write');
    const buffer = buffersOf(edit.pid)[0] as string;
    expect(buffer.startsWith(`${RAM_ROOT}/`)).toBe(true);
    edit.kill('SIGKILL');
    await new Promise((r) => edit.on('exit', r));
    expect(sha256(vault)).toBe(before);
    expect(filesContaining(p.dir, marker)).toEqual([]);
    expect(filesContaining(tmpdir(), marker, started)).toEqual([]);
    expect(existsSync(buffer)).toBe(true);
    // The dead process's lock is taken over and its buffer removed by the next run.
    const next = await cli(p, ['secrets', 'edit'], { env: { ...p.env, EDITOR: 'true' } });
    expect(next.code, next.stderr).toBe(0);
    expect(existsSync(buffer)).toBe(false);
    expect((await cli(p, ['secrets', 'set', 'after.kill'], { stdin: 'x' })).code).toBe(0);
  }, 60_000);

  it('in a terminal, reopens the editor with the problems on top until the buffer is valid', async () => {
    const p = await project();
    const count = path.join(p.dir, 'count');
    const seen = path.join(p.dir, 'seen-second.txt');
    const editor = script(p, 'twice.sh', [
      `n=$(cat '${count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${count}'`,
      `if [ $n -eq 1 ]; then printf 'api.token: "fixed-later"\\nbad key: x\\n' > "$1"; exit 0; fi`,
      `cp "$1" '${seen}'`,
      `printf 'api.token: "fixed-later"\\n' > "$1"`,
    ].join('\n'));
    const session = TmuxSession.start(`node '${BIN}' secrets edit`, { cwd: p.dir, env: { ...p.env, EDITOR: editor }, name: 'edit' });
    sessions.push(session);
    expect(await session.exitCode()).toBe(0);
    const second = readFileSync(seen, 'utf8');
    expect(second).toMatch(/^# homelab-wizard found problems in the last save\n/);
    expect(second).toContain('#   line 6: key must be dotted');
    // The line number points at the offending line of the reopened buffer, below the 4-line block.
    expect(second.split('\n')[5]).toBe('bad key: x');
    expect(session.screen()).toContain('1 problem in the edited secrets; reopening the editor');
    expect((await cli(p, ['secrets', 'get', 'api.token'])).stdout).toBe('fixed-later');
  }, 60_000);
});

describe('in a real terminal', () => {
  it('keys init --passphrase asks twice; later commands ask for it once', async () => {
    const p = emptyProject();
    mkdirSync(path.join(p.dir, 'profiles'));
    copyFileSync(path.join(REPO, 'profiles/minimal.yaml'), path.join(p.dir, 'profiles/p.yaml'));
    const env = { ...p.env, HOMELAB_WIZARD_TEST_SCRYPT_LOG_N: '12' };
    const init = TmuxSession.start(`node '${BIN}' keys init --passphrase`, { cwd: p.dir, env, name: 'init' });
    sessions.push(init);
    await init.waitFor(/passphrase for the new identity/);
    init.type('typed in tmux 123');
    init.enter();
    await init.waitFor(/the same passphrase again/);
    init.type('typed in tmux 123');
    init.enter();
    expect(await init.exitCode()).toBe(0);
    expect(init.screen()).not.toContain('typed in tmux');
    expect(readFileSync(p.identity, 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    const set = await cli(p, ['secrets', 'set', 'api.token'], { stdin: 'tty-secret', env: { ...env, HOMELAB_WIZARD_PASSPHRASE: 'typed in tmux 123' } });
    expect(set.code, set.stderr).toBe(0);
    const show = TmuxSession.start(`node '${BIN}' secrets get api.token`, { cwd: p.dir, env, name: 'get' });
    sessions.push(show);
    await show.waitFor(/passphrase of /);
    show.type('typed in tmux 123');
    show.enter();
    expect(await show.exitCode()).toBe(0);
    const screen = show.screen();
    expect(screen).toContain('tty-secret');
    expect(screen.match(/passphrase of /g)).toHaveLength(1);
  }, 90_000);
});
