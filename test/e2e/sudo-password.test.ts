import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Secret } from '../../src/lib/secret.js';
import type { SandboxServer } from '../../src/sandbox/servers.js';
import { createVault } from '../../src/vault/vault.js';
import { REPO } from '../helpers/profiles.js';
import { remote, TestBed } from './helpers/test-bed.js';

/**
 * `ssh.sudo: password` on a real host (a workstation like the Pi of vpai-system §0.1): the login
 * user needs its password for sudo, the engine reads it from the vault and sends it on stdin, so
 * it never shows in the process list, and the run changes the host as root.
 */
const exec = promisify(execFile);
const BIN = path.join(REPO, 'bin/homelab-wizard.js');
const bed = new TestBed('sudo');
const project = mkdtempSync(path.join(tmpdir(), 'hlw-e2e-sudo-'));
const NAME = 'e2e-sudo';
const PASSWORD = `s3cr3t "sudo" pass ${Date.now()}`;
let identity = '';
let server: SandboxServer;
let ssh: NodeSSH;

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, '--dir', project, '--profile', NAME, ...args], {
      env: { ...process.env, NO_COLOR: '1', CI: '1', HOMELAB_WIZARD_IDENTITY: identity, HOMELAB_WIZARD_SSH_KEY: bed.privateKeyPath },
      timeout: 300_000,
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

beforeAll(async () => {
  await bed.setUp();
  server = await bed.startServer('vps');
  ssh = await bed.ssh(server);
  // A user who may sudo only with its password, and logs in with the test's key.
  await remote(
    ssh,
    [
      'set -e',
      'useradd --create-home --shell /bin/bash ops',
      'IFS= read -r pw; printf "ops:%s\\n" "$pw" | chpasswd',
      'echo "ops ALL=(ALL:ALL) ALL" > /etc/sudoers.d/ops && chmod 0440 /etc/sudoers.d/ops && visudo -cq',
      'install -d -m 0700 -o ops -g ops /home/ops/.ssh',
      'cp /root/.ssh/authorized_keys /home/ops/.ssh/authorized_keys && chown ops:ops /home/ops/.ssh/authorized_keys',
    ].join('\n'),
    { stdin: `${PASSWORD}\n` },
  );
  identity = await generateIdentity();
  mkdirSync(path.join(project, 'profiles'));
  writeFileSync(
    path.join(project, 'profiles', `${NAME}.yaml`),
    stringify({
      schemaVersion: 1,
      project: { name: NAME },
      domain: { name: 'example.com', tls: 'internal' },
      operator: { sshPublicKeys: [bed.publicKey], identityFile: bed.privateKeyPath },
      hosts: [{ name: 'vps', role: 'workstation', address: '127.0.0.1', ssh: { port: server.sshPort, targetPort: server.sshPort, user: 'ops', adminUser: 'ops', sudo: 'password' } }],
    }),
  );
  await createVault(project, NAME, [['hosts.vps.sudoPassword', Secret.of(PASSWORD)]], [await identityToRecipient(identity)]);
}, 300_000);

afterAll(async () => {
  ssh?.dispose();
  await bed.tearDown();
  rmSync(project, { recursive: true, force: true });
  expect(await bed.leftovers()).toEqual([]);
});

describe('sudo with a password from the vault', () => {
  it('changes the host as root through sudo with the vault\'s password, which is never printed', async () => {
    const r = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
    expect(r.code, r.out).toBe(0);
    expect(await remote(ssh, `stat -c '%U %a' /opt/homelab/${NAME}/releases`)).toBe('root 750');
    expect(r.out).not.toContain(PASSWORD);
    // sudo logged the commands as run by ops: the password path was really used.
    expect(await remote(ssh, 'journalctl _COMM=sudo --no-pager -q | grep -c "ops : " || true')).not.toBe('0');
    const again = await cli('apply', '--only', 'deploy');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/0 changed/);
  }, 300_000);
});
