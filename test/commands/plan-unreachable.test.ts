import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { createVault } from '../../src/vault/vault.js';
import { cli } from '../helpers/cli-process.js';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.js';
import { removeTempProjects, tempProject, type TempProject } from '../helpers/vault.js';

/**
 * `plan` of a fleet with a Hetzner server while the Hetzner API cannot be reached (its endpoint
 * is a closed loopback port): the host that SSH reaches is planned, the cloud lines are `?` with
 * the reason, and the Hetzner host that has no address yet is a problem that says why.
 */
let sshd: TestSshd;
let p: TempProject;

beforeAll(async () => {
  sshd = await startSshd();
  p = await tempProject('fleet');
  rmSync(path.join(p.dir, 'profiles', 'fleet.yaml'));
  const deadApi = `http://127.0.0.1:${await freePort()}/v1`;
  writeFileSync(
    path.join(p.dir, 'profiles', 'fleet.yaml'),
    stringify({
      schemaVersion: 1,
      project: { name: 'fleet' },
      domain: { name: 'example.com' },
      operator: { sshPublicKeys: [readFileSync(`${sshd.clientKey}.pub`, 'utf8').trim()], identityFile: sshd.clientKey },
      hosts: [
        { name: 'box', role: 'app-server', address: '127.0.0.1', ssh: { port: sshd.port, targetPort: sshd.port, user: 'root', adminUser: 'root2' } },
        { name: 'cloud', role: 'app-server', provider: { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-13' } },
      ],
      providers: { hetzner: { endpoint: deadApi } },
      deploy: { root: path.join(p.dir, 'remote') },
    }),
  );
  await createVault(p.dir, 'fleet', [['hetzner.token', Secret.of('a'.repeat(64))]], [p.publicKey]);
}, 120_000);

afterAll(async () => {
  await sshd?.stop();
  removeTempProjects();
});

describe('plan with the Hetzner API unreachable', () => {
  it('plans the reachable host, shows the cloud lines as ? with the reason, and exits 1 for the host it could not plan', async () => {
    const r = await cli(['plan', '--only', 'provision,deploy', '--accept-new-host-keys'], { cwd: p.dir, env: { ...p.env, HCLOUD_ENDPOINT: '' }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/provision: unknown: the Hetzner API did not answer: cannot reach 127\.0\.0\.1:\d+/);
    expect(r.stderr).not.toMatch(/retrying in/);
    // The host SSH reaches is planned as usual.
    expect(r.stdout).toContain(`box (root@127.0.0.1:${sshd.port})`);
    expect(r.stdout).toMatch(/\+ deploy\.layout\.releases/);
    // The Hetzner host without an address cannot be planned, and says why.
    expect(r.stdout).toMatch(/cloud\n {2}! unknown: the Hetzner API did not answer: cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED\n\s+hint: check the network and providers\.hetzner\.endpoint/);
    // Its provision line is there as ? with the reason (the JSON plan carries every line).
    const json = await cli(['plan', '--only', 'provision,deploy', '--json'], { cwd: p.dir, env: { ...p.env, HCLOUD_ENDPOINT: '' }, timeoutMs: 60_000 });
    const cloud = (JSON.parse(json.stdout) as { hosts: { host: string; steps: { id: string; action: string; reasons: string[] }[] }[] }).hosts.find((h) => h.host === 'cloud');
    expect(cloud?.steps.find((s) => s.id === 'provision.server')).toMatchObject({ action: '?', reasons: [expect.stringMatching(/the Hetzner API did not answer/)] });
  }, 90_000);
});
