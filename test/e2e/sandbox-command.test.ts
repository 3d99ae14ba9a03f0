import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleProfile } from '../helpers/profiles.js';
import { SandboxProject } from './helpers/sandbox-project.js';
import { E2E_SUBNET, remote, TestBed } from './helpers/test-bed.js';

/**
 * The user-facing `homelab-wizard sandbox up --profile X | list | down`, run as a user runs it:
 * one sandbox server per host of X, a copy of X pointing at them, and down removing all of it.
 */
const bed = new TestBed('command');
/** The operator's project; its vault is encrypted to an identity of its own, as `init` leaves it. */
const project = new SandboxProject(bed, 'project');
const PROFILE = 'e2e-sbx';
const cli = project.cli({ env: { HLW_SANDBOX_ORIGIN: 'test' } });
const keyFile = path.join(project.dir, 'key.pub');

beforeAll(async () => {
  const profile = exampleProfile('minimal');
  profile['project'].name = PROFILE;
  project.writeProfile(profile);
  copyFileSync(`${bed.privateKeyPath}.pub`, keyFile);
  // The profile's own vault, with every generated secret, as `init` writes it.
  await project.writeVault(profile);
});

afterAll(async () => {
  await cli('sandbox', 'down', '--profile', PROFILE);
  await bed.tearDown();
  project.remove();
  const left = await bed.docker.out(['ps', '-aq', '--filter', `label=org.homelab-wizard.sandbox.bed=${PROFILE}`]);
  expect(left).toBe('');
});

describe('homelab-wizard sandbox', () => {
  let server: { host: string; address: string; sshPort: number };

  it('up --profile starts one server per host and writes a sandbox copy of the profile', async () => {
    const r = await cli('--json', 'sandbox', 'up', '--profile', PROFILE, '--subnet', E2E_SUBNET, '--ssh-key', keyFile);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ bed: PROFILE, subnet: E2E_SUBNET, registry: { servers: 'sandbox-registry:5000' } });
    expect(out.servers).toHaveLength(1);
    server = out.servers[0];
    expect(server.host).toBe('vps');
    expect(server.address.startsWith(E2E_SUBNET.split('.').slice(0, 3).join('.'))).toBe(true);
    const copyFile = path.join(project.dir, 'profiles', `${PROFILE}-sandbox.yaml`);
    expect(out.profile).toBe(copyFile);
    const copy = parse(readFileSync(copyFile, 'utf8'));
    expect(copy.hosts[0]).toMatchObject({ name: 'vps', address: server.address, ssh: { port: 22, user: 'root', targetPort: 2222 } });
    expect(copy.images.registry).toBe('sandbox-registry:5000');
    expect(copy.operator.sshPublicKeys).toContain(bed.publicKey);
    expect((await cli('profile', 'check', '--profile', `${PROFILE}-sandbox`)).code).toBe(0);
  });

  it('lets the operator in as root with the given key, through 127.0.0.1 and at the sandbox address', async () => {
    for (const [host, port] of [['127.0.0.1', server.sshPort], [server.address, 22]] as const) {
      const ssh = await bed.sshAt(host, port);
      try {
        expect(await remote(ssh, 'hostname')).toBe('vps');
      } finally {
        ssh.dispose();
      }
    }
  });

  it('up again changes nothing; list shows the server', async () => {
    const again = JSON.parse((await cli('--json', 'sandbox', 'up', '--profile', PROFILE, '--subnet', E2E_SUBNET, '--ssh-key', keyFile)).stdout);
    expect(again.servers[0]).toMatchObject({ address: server.address, sshPort: server.sshPort });
    const list = JSON.parse((await cli('--json', 'sandbox', 'list', '--profile', PROFILE)).stdout);
    expect(list).toEqual([expect.objectContaining({ bed: PROFILE, host: 'vps', address: server.address, status: 'running' })]);
    const text = (await cli('sandbox', 'list', '--profile', PROFILE)).stdout;
    expect(text).toMatch(new RegExp(`^SANDBOX\\s+HOST\\s+ADDRESS\\s+SSH\\s+STATUS\\n${PROFILE}\\s+vps\\s+${server.address.replace(/\./g, '\\.')}\\s+127\\.0\\.0\\.1:${server.sshPort}\\s+running`));
  });

  it("apply on the copy works with no other step: it reads the profile's own vault, and smoke passes", async () => {
    const r = await cli('apply', '--profile', `${PROFILE}-sandbox`, '--accept-new-host-keys');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Smoke passed: \d+ passed, 0 failed/);
    expect(existsSync(path.join(project.dir, 'vault', `${PROFILE}-sandbox.age`))).toBe(false);
  }, 900_000);

  it('down removes the servers, their volumes, the network and the generated profile', async () => {
    const r = await cli('sandbox', 'down', '--profile', PROFILE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed hlw-${PROFILE}-vps`);
    expect(existsSync(path.join(project.dir, 'profiles', `${PROFILE}-sandbox.yaml`))).toBe(false);
    expect(existsSync(path.join(project.dir, 'profiles', `${PROFILE}.yaml`))).toBe(true);
    const filter = `label=org.homelab-wizard.sandbox.bed=${PROFILE}`;
    for (const kind of [['ps', '-aq'], ['volume', 'ls', '-q'], ['network', 'ls', '-q']]) expect(await bed.docker.out([...kind, '--filter', filter])).toBe('');
    expect((await cli('sandbox', 'down', '--profile', PROFILE)).stdout).toContain('nothing to remove');
  });
});
