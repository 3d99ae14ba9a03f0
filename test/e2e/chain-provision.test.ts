import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REGISTRY_INNER, serverContainer } from '../../src/sandbox/labels.js';
import type { ServerStarter } from '../fakes/fake-hetzner.js';
import { cli } from '../helpers/cli-process.js';
import { removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';
import { FakeClouds } from './helpers/fake-clouds.js';
import { writeProfile, writeVault } from './helpers/sandbox-project.js';
import { sandboxStarter } from './helpers/sandbox-starter.js';
import { remote, TestBed } from './helpers/test-bed.js';

/**
 * The whole chain with the built CLI, on ONE fresh sandbox server that is both the VPN hub and a
 * node: `apply` creates it through the fake Hetzner API (host key pinned from the cloud-init user
 * data), publishes its records through the fake OVH API, hardens it (SSH 22 → 2222), deploys
 * Caddy and Headscale (the stand-in image), then joins the mesh with a single-use pre-auth key
 * made on the hub, and writes the node's 100.x address into the profile. A second `apply` changes
 * nothing and `plan` exits 0.
 *
 * Simulated here: the bed has no DNS for example.com, so the starter maps vpn.example.com to the
 * server's own address in /etc/hosts (on a real server the dns phase's A record does it); the
 * Tailscale and Headscale programs are the sandbox's stand-ins (they register a node and hand out
 * 100.64.0.N, but move no packets).
 */
const bed = new TestBed('chain');
const base = sandboxStarter(bed);
const starter: ServerStarter = {
  async start(request) {
    const started = await base.start(request);
    await bed.docker.run(['exec', serverContainer(bed.spec.name, request.name), 'sh', '-c', `echo '${started.ipv4} vpn.example.com' >> /etc/hosts`]);
    return started;
  },
  stop: (server) => base.stop(server),
};
const clouds = new FakeClouds(starter);
const { hetzner, ovh } = clouds;
const NAME = 'e2e-chain';
let p: TempProject;

beforeAll(async () => {
  await bed.setUp();
  await clouds.start();
  p = await tempProject(NAME);
  const raw = {
    schemaVersion: 1,
    project: { name: NAME },
    domain: { name: 'example.com', dnsProvider: 'ovh', tls: 'internal' },
    operator: { sshPublicKeys: [bed.publicKey], identityFile: bed.privateKeyPath },
    providers: clouds.providers(),
    hosts: [
      {
        name: 'hub',
        role: 'vpn-hub',
        provider: { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-12' },
        os: 'debian-12',
        ssh: { port: 22, targetPort: 2222, user: 'root', adminUser: 'deploy' },
        // No Docker apt repository from a sandbox (no HTTPS egress): Debian's docker.io.
        docker: { source: 'distribution' },
        services: ['docker', 'ufw', 'caddy', 'headscale', 'tailscale'],
      },
    ],
    vpn: { enabled: true, headscaleUrl: 'https://vpn.example.com', hub: 'hub' },
    images: { registry: REGISTRY_INNER, insecureRegistry: true },
  };
  writeProfile(p.dir, raw);
  await writeVault(p.dir, raw, [p.publicKey], { set: clouds.secrets() });
}, 600_000);

afterAll(async () => {
  await clouds.stop();
  await bed.tearDown();
  removeTempProjects();
  expect(await bed.leftovers()).toEqual([]);
});

const host = (): Record<string, any> => parse(readFileSync(path.join(p.dir, 'profiles', `${NAME}.yaml`), 'utf8')).hosts[0];

describe('provision → dns → harden → deploy → vpn, in one apply', () => {
  it('converges in one apply, and the node is on the mesh with its 100.x address in the profile', async () => {
    const started = Date.now();
    const first = await cli(['apply', '--non-interactive'], { cwd: p.dir, env: { ...p.env, NO_COLOR: '1', CI: '1' }, timeoutMs: 1_200_000 });
    process.stderr.write(`chain: first apply took ${Math.round((Date.now() - started) / 1000)} s\n`);
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    // Unchanged: the server runs the profile's system (the platform check), Tailscale is already on
    // the sandbox image (its stand-in), no release to prune yet, and no DNS-01 renewal to remove (the
    // profile uses Caddy's internal CA).
    expect(first.stdout).toMatch(/Apply complete: \d+ changed, 4 unchanged on 1 host/);
    expect(first.stdout).toContain('hub  vpn.tailscale.join: changed');
    expect(first.stderr).toMatch(/single-use pre-auth key made on hub/);
    expect(first.stderr).toMatch(/Writing the VPN address \(tailscaleIp\)/);
    const h = host();
    expect(h.address).toMatch(/^172\.31\.\d+\.\d+$/);
    expect(h.tailscaleIp).toMatch(/^100\.64\.0\.\d+$/);

    const ssh = await bed.sshAt(h.address, 2222, 'deploy');
    try {
      // The hub registered the node under the profile's user, with the address written back; the key was single-use and is spent.
      const c = await remote(ssh, `sudo docker ps -q --filter label=com.docker.compose.service=headscale`);
      const nodes = JSON.parse(await remote(ssh, `sudo docker exec ${c.trim()} headscale nodes list -o json`));
      expect(nodes).toHaveLength(1);
      expect(nodes[0]).toMatchObject({ given_name: 'hub', user: { name: 'homelab' } });
      expect(nodes[0].ip_addresses[0]).toBe(h.tailscaleIp);
      const keys = JSON.parse(await remote(ssh, `sudo docker exec ${c.trim()} headscale preauthkeys list --user 1 -o json`));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ used: true });
      expect(keys[0]).not.toHaveProperty('reusable');
      expect(keys[0].expiration.seconds - keys[0].created_at.seconds).toBeLessThanOrEqual(600);
      // The key went through a private temp file that is gone, never through argv or the logs.
      expect(await remote(ssh, `sudo sh -c 'ls /tmp | grep -c "^tmp\\." || true'`)).toBe('0');
      expect(JSON.parse(await remote(ssh, 'sudo tailscale status --json')).BackendState).toBe('Running');
      const logs = readFileSync(path.join(p.dir, (/Log: (\S+)/.exec(first.stdout)?.[1] ?? '').trim()), 'utf8');
      expect(logs).toContain('vpn.tailscale.join');
      expect(logs).not.toContain(keys[0].key);
      expect(first.stdout + first.stderr).not.toContain(keys[0].key);
    } finally {
      ssh.dispose();
    }
    expect(ovh.published('example.com').map((r) => `${r.subDomain || '@'} ${r.fieldType}`)).toContain('vpn A');
  }, 1_300_000);

  it('changes nothing the second time, and plan exits 0', async () => {
    const again = await cli(['apply', '--non-interactive'], { cwd: p.dir, env: { ...p.env, NO_COLOR: '1', CI: '1' }, timeoutMs: 600_000 });
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/Apply complete: 0 changed, \d+ unchanged on 1 host/);
    expect(again.stderr).not.toMatch(/pre-auth key made/);
    const plan = await cli(['--json', 'plan', '--non-interactive'], { cwd: p.dir, env: { ...p.env, NO_COLOR: '1' }, timeoutMs: 600_000 });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { hosts: { steps: { id: string; action: string }[] }[] }).hosts[0]!.steps;
    expect(steps.filter((s) => s.id.startsWith('vpn.')).map((s) => `${s.action} ${s.id}`)).toEqual(['= vpn.tailscale.package', '= vpn.tailscale.join']);
    expect(hetzner.serverCount()).toBe(1);
  }, 1_300_000);
});
