import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readProfile } from '../../src/profile/load.js';
import { identityProvider } from '../../src/vault/identity.js';
import { profileDecryptor } from '../../src/vault/profile-file.js';
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
    await answer(/Keep these settings\? SSH port 22 → 2222 after hardening/, 'y');
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
    await answer(/step 12\/12 · Review/, 'Enter');
}

/** A project folder holding a copy of the minimal example as a plain profile. */
function rerunProject(name: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'hlw-tmux-'));
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  const dir = path.join(root, 'project');
  mkdirSync(path.join(dir, 'profiles'), { recursive: true });
  writeFileSync(path.join(dir, 'profiles', 'minimal.yaml'), readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8'));
  const start = (run: string) => {
    const session = TmuxSession.start(`node '${path.join(REPO, 'bin/homelab-wizard.js')}' init --dir '${dir}'`, {
      cwd: root,
      name: `${name}-${run}`,
      width: 120,
      height: 40,
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), HOMELAB_WIZARD_IDENTITY: undefined },
    });
    sessions.push(session);
    return session;
  };
  return { dir, start };
}

describe('init in a real terminal (tmux, 100x30)', () => {
  it('re-runs on a plain profile: opens on the review, keeps the form and the vault\'s secrets, and a switch is announced, confirmed with one key and keeps a .bak', async () => {
    const { dir, start } = rerunProject('rerun');
    const profiles = path.join(dir, 'profiles');
    const first = start('1');
    // Straight to the review page; Enter writes the profile in the form it has (plain).
    await first.waitFor(/step 12\/12 · Review[\s\S]*❯ write the profile \(plain, as now\) and the vault/);
    await new Promise((r) => setTimeout(r, 200));
    first.enter();
    await first.waitFor(/next: homelab-wizard plan --profile minimal/, 30_000);
    expect(await first.exitCode()).toBe(0);
    expect(readdirSync(profiles).filter((f) => f.startsWith('minimal.yaml')).sort()).toEqual(['minimal.yaml', 'minimal.yaml.bak']);
    expect(readFileSync(path.join(profiles, 'minimal.yaml'), 'utf8')).toBe(readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8'));

    // A hand edit before the second run: the .bak of the switch must be this file, not an older copy.
    const edited = `${readFileSync(path.join(profiles, 'minimal.yaml'), 'utf8')}x-note: edited by hand\n`;
    writeFileSync(path.join(profiles, 'minimal.yaml'), edited);
    const second = start('2');
    // The vault holds every internal secret now: none is offered again.
    const review = await second.waitFor(/step 12\/12 · Review[\s\S]*switch to an encrypted profile/);
    expect(review).toMatch(/internal secrets: 5 already in the vault, kept/);
    expect(review).not.toMatch(/generated on write/);
    await new Promise((r) => setTimeout(r, 200));
    second.keys('Down');
    await new Promise((r) => setTimeout(r, 150));
    second.enter();
    // The switch is said before anything is written, and one key answers the question.
    await second.waitFor(/form: plain → encrypted, written to profiles\/minimal\.yaml\.age\n\s+profiles\/minimal\.yaml is kept as profiles\/minimal\.yaml\.bak[\s\S]*Write these changes to minimal\? \(Y\/n\)/);
    await new Promise((r) => setTimeout(r, 200));
    second.type('y');
    await second.waitFor(/next: homelab-wizard plan --profile minimal/, 30_000);
    expect(await second.exitCode()).toBe(0);
    expect(readdirSync(profiles).filter((f) => f.startsWith('minimal.yaml')).sort()).toEqual(['minimal.yaml.age', 'minimal.yaml.bak']);
    expect(readFileSync(path.join(profiles, 'minimal.yaml.bak'), 'utf8')).toBe(edited);
  }, 90_000);

  it('shows its first screen, goes back with Esc, and exits 130 on Ctrl-C with no files written', { timeout: 60_000 }, async () => {
    const { dir, session: t } = project('abort');
    await t.waitFor(/step 1\/12 · Project[\s\S]*Project name/);
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

  it('edits text fields with the readline keys: Ctrl-U, Home, End, Ctrl-A, Ctrl-E, Ctrl-W', { timeout: 60_000 }, async () => {
    const { session: t } = project('readline');
    await t.waitFor(/Project name/);
    const step = async (...keys: string[]) => {
      for (const key of keys) {
        await new Promise((r) => setTimeout(r, 120));
        t.keys(key);
      }
    };
    const type = async (text: string) => {
      await new Promise((r) => setTimeout(r, 120));
      t.type(text);
    };
    await new Promise((r) => setTimeout(r, 150));
    await step('C-u'); // erase "homelab"
    await type('lab');
    await step('Home');
    await type('my');
    await step('End');
    await type('2');
    await step('C-a', 'C-e');
    await type(' extra');
    await step('C-w', 'BSpace');
    const screen = await t.waitFor(/Project name\s*\n.*\n\s*mylab2 ?\s*\n/);
    expect(screen).not.toMatch(/\n\s*homelab|extra|mylab2[uaew]/);
    await step('Enter');
    await t.waitFor(/Display name/);
    await step('C-c');
    expect(await t.exitCode()).toBe(130);
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
    // One question for the usual SSH and system settings instead of seven.
    await answer(/Keep these settings\? SSH port 22 → 2222 after hardening, login root, admin user deploy/, 'y');
    await answer(/edit vps/, 'Down', 'Down', 'Down', 'Enter');
    await answer(/Headscale VPN/, 'n');
    await answer(/Who can reach the admin sites\?/, 'Enter');
    // The hardening baseline is pre-selected, and the list says that more rows follow below.
    await t.waitFor(/Pre-selected: the hardening baseline[\s\S]*◯ caddy[\s\S]*more below/);
    await answer(/Services on vps/, 'Down', 'Down', 'Down', 'Down', 'Space', 'Enter');
    await answer(/Where should alerts go\?/, 'Down', 'Enter');
    await typed(/Notification e-mail/, 'ops@example.com');
    await typed(/n8n owner e-mail/, 'ops@example.com');
    await typed(/n8n owner first name/, 'Ada');
    await typed(/n8n owner last name/, 'Lovelace');
    await answer(/Generate the/, 'y');
    await answer(/step 12\/12 · Review/, 'Enter');
    await t.waitFor(/next: homelab-wizard plan --profile tmuxlab/, 30_000);
    expect(await t.exitCode()).toBe(0);
    expect(readFileSync(path.join(dir, 'profiles', 'tmuxlab.yaml.age'), 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(existsSync(path.join(dir, 'vault', 'tmuxlab.age'))).toBe(true);
    expect(existsSync(path.join(home, '.config', 'homelab-wizard', 'identity.txt'))).toBe(true);
    const identity = identityProvider({ env: { XDG_CONFIG_HOME: path.join(home, '.config'), HOME: home } });
    const written = await readProfile(dir, 'tmuxlab', profileDecryptor(identity));
    const services = (written.raw as { hosts: { services: string[] }[] }).hosts[0]?.services;
    expect(services).toEqual(expect.arrayContaining(['docker', 'ufw', 'fail2ban', 'unattended-upgrades', 'caddy', 'postgresql', 'redis', 'n8n']));
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

