import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, startCli } from '../helpers/cli-process.js';
import { exampleProfile } from '../helpers/profiles.js';
import { removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';
import { FakeClouds } from './helpers/fake-clouds.js';
import { writeProfile, writeVault } from './helpers/sandbox-project.js';
import { sandboxStarter } from './helpers/sandbox-starter.js';
import { remote, TestBed } from './helpers/test-bed.js';

/**
 * `apply --only provision,dns` with the built CLI against the fake Hetzner API (every server a real
 * sandbox server that installs the host key from its cloud-init user data) and the fake OVH API.
 * Non-interactive and without --accept-new-host-keys: the first SSH connection succeeds only if
 * the host key was pinned at provisioning. At most two sandbox servers; all removed at the end.
 */
const bed = new TestBed('provision');
const clouds = new FakeClouds(sandboxStarter(bed));
const { hetzner, ovh } = clouds;

beforeAll(async () => {
  await bed.setUp();
  await clouds.start();
});

afterAll(async () => {
  await clouds.stop();
  await bed.tearDown();
  removeTempProjects();
  expect(await bed.leftovers()).toEqual([]);
});

async function project(name: string): Promise<TempProject> {
  const p = await tempProject(name);
  const profile = exampleProfile('minimal');
  profile['project'].name = name;
  profile['domain'].dnsProvider = 'ovh';
  profile['operator'] = { sshPublicKeys: [bed.publicKey], identityFile: bed.privateKeyPath };
  profile['providers'] = clouds.providers();
  profile['hosts'][0] = { ...profile['hosts'][0], name: 'app', provider: { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-12' }, ssh: { port: 22, targetPort: 22, user: 'root', adminUser: 'deploy' } };
  delete profile['hosts'][0].address;
  writeProfile(p.dir, profile);
  await writeVault(p.dir, profile, [p.publicKey], { generate: false, set: clouds.secrets() });
  return p;
}

const APPLY = ['apply', '--only', 'provision,dns', '--non-interactive'];
const addressOf = (p: TempProject, name: string): string | undefined => parse(readFileSync(path.join(p.dir, 'profiles', `${name}.yaml`), 'utf8')).hosts[0].address;

describe('provision and dns with the built CLI', () => {
  it('creates the server, pins its host key, writes the address back and publishes the records; a second apply has 0 changes', async () => {
    const p = await project('e2e-one');
    const first = await cli(APPLY, { cwd: p.dir, env: p.env, timeoutMs: 170_000 });
    expect(first.stderr).not.toContain(hetzner.token);
    expect(first.code, first.stderr).toBe(0);
    const address = addressOf(p, 'e2e-one') as string;
    expect(address).toMatch(/^172\.31\.\d+\.\d+$/);
    expect(first.stderr).toMatch(/host key pinned/);
    expect(first.stdout).toMatch(/Apply complete: 7 changed, 0 unchanged on 1 host/);

    // The pinned key is the key the real sshd presents.
    const pinned = readFileSync(path.join(p.dir, 'profiles/e2e-one.known_hosts'), 'utf8').trim().split(/\s+/).slice(1, 3).join(' ');
    const ssh = await bed.sshAt(address, 22);
    try {
      expect((await remote(ssh, 'cat /etc/ssh/ssh_host_ed25519_key.pub')).split(/\s+/).slice(0, 2).join(' ')).toBe(pinned);
      expect(await remote(ssh, 'ls /etc/ssh/ | grep -c "^ssh_host_.*_key$"')).toBe('1');
    } finally {
      ssh.dispose();
    }
    expect(ovh.published('example.com').map((r) => `${r.subDomain || '@'} ${r.fieldType}`).sort()).toEqual(['@ A', '@ AAAA', 'n8n A', 'n8n AAAA']);
    expect(ovh.published('example.com').find((r) => r.fieldType === 'A')?.target).toBe(address);

    const second = await cli(APPLY, { cwd: p.dir, env: p.env, timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Apply complete: 0 changed, \d+ unchanged on 1 host/);
    const plan = await cli(['plan', '--only', 'provision,dns', '--non-interactive'], { cwd: p.dir, env: p.env, timeoutMs: 120_000 });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(hetzner.serverCount()).toBe(1);
  });

  it('rerun after a SIGKILL during provisioning: exactly one server, its host key pinned from the first attempt', async () => {
    const p = await project('e2e-kill');
    const before = hetzner.serverCount();
    const { child, result } = startCli(APPLY, { cwd: p.dir, env: p.env, timeoutMs: 170_000 });
    // Kill while the create call is in flight: the API goes on and makes the server.
    for (let i = 0; i < 600 && !hetzner.requests.some((r) => r.startsWith('POST /v1/servers')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(hetzner.requests.some((r) => r.startsWith('POST /v1/servers'))).toBe(true);
    child.kill('SIGKILL');
    expect((await result).signal).toBe('SIGKILL');
    for (let i = 0; i < 600 && hetzner.serverCount() === before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(addressOf(p, 'e2e-kill')).toBeUndefined();

    const rerun = await cli(APPLY, { cwd: p.dir, env: p.env, timeoutMs: 170_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(hetzner.serverCount()).toBe(before + 1);
    const servers = await bed.docker.out(['ps', '-q', '--filter', `name=hlw-${bed.spec.name}-e2e-kill-app`]);
    expect(servers.split('\n').filter(Boolean)).toHaveLength(1);
    expect(addressOf(p, 'e2e-kill')).toMatch(/^172\.31\.\d+\.\d+$/);
    expect(rerun.stderr).toMatch(/host key pinned/);
  });
});
