import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/profiles.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { TmuxSession } from '../helpers/tmux.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2nXyIHvA0Tt6YtYvLZ2dHAnjB4vkDT5fZ4m0Yz3pJq operator@example.com';
const sessions: TmuxSession[] = [];
beforeAll(() => ensureCommands({ tmux: 'tmux', 'ssh-keygen': 'openssh-client' }));
afterEach(() => sessions.splice(0).forEach((s) => s.kill()));

/** A project folder and a home of its own, so the test never touches the real identity (`noKey`: a fresh home, no ~/.ssh). */
function project(name: string, options: { noKey?: boolean; agent?: boolean } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'hlw-tmux-'));
  const home = path.join(root, 'home');
  mkdirSync(home);
  if (!options.noKey) {
    mkdirSync(path.join(home, '.ssh'));
    writeFileSync(path.join(home, '.ssh', 'id_ed25519.pub'), `${KEY}\n`);
  }
  const dir = path.join(root, 'project');
  mkdirSync(dir);
  const init = `node '${path.join(REPO, 'bin/homelab-wizard.js')}' init --dir '${dir}'`;
  // `agent`: init runs under an ssh-agent of its own; what the agent holds afterwards goes to agent.txt.
  const command = options.agent ? `eval "$(ssh-agent -s)" >/dev/null; ${init}; rc=$?; ssh-add -L > '${root}/agent.txt' 2>&1; ssh-agent -k >/dev/null; (exit $rc)` : init;
  const session = TmuxSession.start(command, {
    cwd: root,
    name,
    width: 100,
    height: 30,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), HOMELAB_WIZARD_IDENTITY: undefined },
  });
  sessions.push(session);
  return { root, dir, home, session };
}

/** One key per read: Ink treats a chunk of text plus Enter as text (stack-notes §2, pitfall 3). */
function driver(t: TmuxSession) {
  const answer = async (label: RegExp, ...keys: string[]) => {
    await t.waitFor(label);
    for (const key of keys) {
      await new Promise((r) => setTimeout(r, 120));
      t.keys(key);
    }
  };
  const typed = async (label: RegExp, text: string) => {
    await t.waitFor(label);
    await new Promise((r) => setTimeout(r, 150));
    t.type(text);
    await new Promise((r) => setTimeout(r, 100));
    t.enter();
  };
  return { answer, typed };
}

/** The wizard's questions for a one-host profile NAME, after the key offer (the key field kept as prefilled). */
async function completeMinimal(t: TmuxSession, name: string): Promise<void> {
  const { answer, typed } = driver(t);
    await answer(/Project name/, ...Array(7).fill('BSpace'));
    await typed(/Project name/, name);
    await answer(/Display name/, 'Enter');
    await answer(/Is this production\?/, 'n');
    // The new key's public half is already in the field.
    await answer(/Your SSH public key[\s\S]*ssh-ed25519 AAAA/, 'Enter');
    await answer(/Time zone/, 'Enter');
    await typed(/Main domain/, 'example.com');
    await answer(/DNS records/, 'Down', 'Enter');
    await answer(/TLS certificates/, 'Enter');
    await answer(/\+ add a host/, 'Enter');
    await typed(/Host name/, 'vps');
    await answer(/Role\s*\n/, 'Down', 'Enter');
    await answer(/an existing server/, 'Enter');
    await typed(/Public address/, '203.0.113.10');
    for (const label of [/SSH port today/, /SSH port after hardening/, /Login user today/, /Admin user to create/, /sudo for the admin user/, /Architecture/, /Operating system/]) await answer(label, 'Enter');
    await answer(/edit vps/, 'Down', 'Down', 'Down', 'Enter');
    await answer(/Headscale VPN/, 'n');
    await answer(/Who can reach the admin sites\?/, 'Enter');
    await answer(/Services on vps/, 'Down', 'Down', 'Down', 'Down', 'Space', 'Enter');
    await answer(/Where should alerts go\?/, 'Down', 'Enter');
    await typed(/Notification e-mail/, 'ops@example.com');
    await typed(/n8n owner e-mail/, 'ops@example.com');
    await typed(/n8n owner first name/, 'Ada');
    await typed(/n8n owner last name/, 'Lovelace');
    await answer(/Generate the/, 'y');
    await answer(/step 11\/11 · Review/, 'Enter');
}

describe('init in a real terminal (tmux, 100x30)', () => {
  it('shows its first screen, goes back with Esc, and exits 130 on Ctrl-C with no files written', { timeout: 60_000 }, async () => {
    const { dir, session: t } = project('abort');
    await t.waitFor(/step 1\/11 · Project[\s\S]*Project name/);
    await new Promise((r) => setTimeout(r, 150));
    t.enter();
    await t.waitFor(/Display name/);
    await new Promise((r) => setTimeout(r, 150));
    t.keys('Escape');
    await t.waitFor(/Project name\s*\n\s*lower-case letters/);
    await new Promise((r) => setTimeout(r, 150));
    t.keys('C-c');
    expect(await t.exitCode()).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('completes a minimal setup by keystrokes, going back once, and writes a valid encrypted profile and vault', async () => {
    const { dir, home, session: t } = project('complete');
    const { answer, typed } = driver(t);
    await answer(/Project name/, ...Array(7).fill('BSpace'));
    await typed(/Project name/, 'tmuxlab');
    await answer(/Display name/, 'Enter');
    await answer(/Is this production\?/, 'n');
    await answer(/Your SSH public key/, 'Enter');
    await answer(/Time zone/, 'Enter');
    await answer(/Main domain/, 'Escape');
    await answer(/Time zone/, 'Enter');
    await typed(/Main domain/, 'example.com');
    await answer(/DNS records/, 'Down', 'Enter');
    await answer(/TLS certificates/, 'Enter');
    await answer(/\+ add a host/, 'Enter');
    await typed(/Host name/, 'vps');
    await answer(/Role\s*\n/, 'Down', 'Enter');
    await answer(/an existing server/, 'Enter');
    await typed(/Public address/, '203.0.113.10');
    for (const label of [/SSH port today/, /SSH port after hardening/, /Login user today/, /Admin user to create/, /sudo for the admin user/, /Architecture/, /Operating system/]) await answer(label, 'Enter');
    await answer(/edit vps/, 'Down', 'Down', 'Down', 'Enter');
    await answer(/Headscale VPN/, 'n');
    await answer(/Who can reach the admin sites\?/, 'Enter');
    await answer(/Services on vps/, 'Down', 'Down', 'Down', 'Down', 'Space', 'Enter');
    await answer(/Where should alerts go\?/, 'Down', 'Enter');
    await typed(/Notification e-mail/, 'ops@example.com');
    await typed(/n8n owner e-mail/, 'ops@example.com');
    await typed(/n8n owner first name/, 'Ada');
    await typed(/n8n owner last name/, 'Lovelace');
    await answer(/Generate the/, 'y');
    await answer(/step 11\/11 · Review/, 'Enter');
    await t.waitFor(/next: homelab-wizard plan --profile tmuxlab/, 30_000);
    expect(await t.exitCode()).toBe(0);
    expect(readFileSync(path.join(dir, 'profiles', 'tmuxlab.yaml.age'), 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(existsSync(path.join(dir, 'vault', 'tmuxlab.age'))).toBe(true);
    expect(existsSync(path.join(home, '.config', 'homelab-wizard', 'identity.txt'))).toBe(true);
  }, 90_000);

  it('on a machine with no SSH key, offers to create one and ends with a usable key and a profile that uses it', async () => {
    const { dir, home, session: t } = project('nokey', { noKey: true });
    const { answer, typed } = driver(t);
    // Before the wizard: the offer (arrow keys, Enter), without a passphrase here.
    await answer(/No SSH key in ~\/\.ssh\. Create ~\/\.ssh\/id_ed25519/, 'Down', 'Enter');
    await completeMinimal(t, 'keylab');
    await t.waitFor(/next: homelab-wizard plan --profile keylab/, 30_000);
    expect(await t.exitCode()).toBe(0);
    expect(t.screen()).toContain('created the SSH key ~/.ssh/id_ed25519 (ed25519, no passphrase)');
    const key = path.join(home, '.ssh', 'id_ed25519');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(key)).mode & 0o777).toBe(0o700);
    // Usable: OpenSSH reads it, and its public half is the one the profile installs on the hosts.
    const publicKey = execFileSync('ssh-keygen', ['-y', '-f', key], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');
    expect(readFileSync(`${key}.pub`, 'utf8')).toContain(publicKey);
    const shown = execFileSync(process.execPath, [path.join(REPO, 'bin/homelab-wizard.js'), '--dir', dir, 'profile', 'show', '--profile', 'keylab', '--json'], {
      encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), HOMELAB_WIZARD_IDENTITY: '' },
    });
    expect(JSON.parse(shown).operator.sshPublicKeys[0]).toContain(publicKey);
  }, 90_000);

  it('with a passphrase: asked twice, hidden; the key is encrypted with it and goes into the running ssh-agent', async () => {
    ensureCommands({ 'ssh-agent': 'openssh-client' });
    const pass = 'a long passphrase 42';
    const { root, home, session: t } = project('keypass', { noKey: true, agent: true });
    const { answer, typed } = driver(t);
    await answer(/No SSH key in ~\/\.ssh\. Create ~\/\.ssh\/id_ed25519/, 'Enter');
    await typed(/passphrase for the new key/, pass);
    await typed(/the same passphrase again/, pass);
    await completeMinimal(t, 'passlab');
    // ssh-add asks for it itself (it is never in an argument), then init goes on.
    await typed(/Enter passphrase for .*id_ed25519/, pass);
    await t.waitFor(/next: homelab-wizard plan --profile passlab/, 30_000);
    expect(await t.exitCode()).toBe(0);
    expect(t.screen()).not.toContain(pass);
    const key = path.join(home, '.ssh', 'id_ed25519');
    expect(spawnSync('ssh-keygen', ['-y', '-P', '', '-f', key]).status).not.toBe(0);
    const publicKey = execFileSync('ssh-keygen', ['-y', '-P', pass, '-f', key], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');
    expect(readFileSync(path.join(root, 'agent.txt'), 'utf8')).toContain(publicKey);
  }, 90_000);
});

