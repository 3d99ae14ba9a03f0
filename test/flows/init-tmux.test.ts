import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
beforeAll(() => ensureCommands({ tmux: 'tmux' }));
afterEach(() => sessions.splice(0).forEach((s) => s.kill()));

/** A project folder and a home of its own, so the test never touches the real identity. */
function project(name: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'hlw-tmux-'));
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  writeFileSync(path.join(home, '.ssh', 'id_ed25519.pub'), `${KEY}\n`);
  const dir = path.join(root, 'project');
  mkdirSync(dir);
  const session = TmuxSession.start(`node '${path.join(REPO, 'bin/homelab-wizard.js')}' init --dir '${dir}'`, {
    cwd: root,
    name,
    width: 100,
    height: 30,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), HOMELAB_WIZARD_IDENTITY: undefined },
  });
  sessions.push(session);
  return { dir, home, session };
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
    // One key per read: Ink treats a chunk of text plus Enter as text (stack-notes §2, pitfall 3).
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
    // The hardening baseline is pre-selected, and the list says that more rows follow below.
    await t.waitFor(/Pre-selected: the hardening baseline[\s\S]*◯ caddy[\s\S]*more below/);
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
    const identity = identityProvider({ env: { XDG_CONFIG_HOME: path.join(home, '.config'), HOME: home } });
    const written = await readProfile(dir, 'tmuxlab', profileDecryptor(identity));
    const services = (written.raw as { hosts: { services: string[] }[] }).hosts[0]?.services;
    expect(services).toEqual(expect.arrayContaining(['docker', 'ufw', 'fail2ban', 'unattended-upgrades', 'caddy', 'postgresql', 'redis', 'n8n']));
  }, 90_000);
});
