import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxServer } from '../../src/sandbox/servers.js';
import { sandboxDoc, SandboxProject } from './helpers/sandbox-project.js';
import { remote, TestBed } from './helpers/test-bed.js';

/**
 * `ssh.sudo: password` on a real host (a workstation like the Pi of vpai-system §0.1): the login
 * user needs its password for sudo, the engine reads it from the vault and sends it on stdin, so
 * it never shows in the process list, and the run changes the host as root.
 */
const bed = new TestBed('sudo');
const project = new SandboxProject(bed, 'sudo');
const NAME = 'e2e-sudo';
const PASSWORD = `s3cr3t "sudo" pass ${Date.now()}`;
const run = project.cli({ profile: NAME, timeoutMs: 300_000 });
let server: SandboxServer;
let ssh: NodeSSH;

/** Exit code and everything printed. */
async function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  const r = await run(...args);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
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
  const doc = sandboxDoc(bed, NAME, [{ server, role: 'workstation', ssh: { user: 'ops', adminUser: 'ops', sudo: 'password' } }]);
  project.writeProfile(doc);
  await project.writeVault(doc, { generate: false, set: { 'hosts.vps.sudoPassword': PASSWORD } });
}, 300_000);

afterAll(async () => {
  ssh?.dispose();
  await bed.tearDown();
  project.remove();
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
