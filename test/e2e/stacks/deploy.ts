import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Secret } from '../../src/lib/secret.js';
import { HEALTH_GATE } from '../../src/steps/deploy/health-gate.js';
import type { SandboxServer } from '../../src/sandbox/servers.js';
import { validateProfile } from '../../src/profile/validate.js';
import { missingSecrets } from '../../src/vault/generate.js';
import { createVault } from '../../src/vault/vault.js';
import { REPO } from '../helpers/profiles.js';
import { dockerAgreesHealthy, installDockerScript, remote, TestBed } from './helpers/test-bed.js';

/**
 * The deploy phase on a real sandbox server with its own Docker engine: infra and apps up and
 * health-gated, one database user per app with its own password (a nasty one), a second apply
 * with nothing to do, and a changed secret that recreates only the service that uses it.
 */
const exec = promisify(execFile);
const BIN = path.join(REPO, 'bin/homelab-wizard.js');
const bed = new TestBed('deploy');
const project = mkdtempSync(path.join(tmpdir(), 'hlw-e2e-deploy-'));
const NAME = 'e2e-deploy';
const NASTY = `pa'ss "word" $HOME \\back\\slash sp ace ünïcödé`;
let identity = '';
let server: SandboxServer;
let ssh: NodeSSH;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, '--dir', project, '--profile', NAME, ...args], {
      env: { ...process.env, NO_COLOR: '1', CI: '1', HOMELAB_WIZARD_IDENTITY: identity, HOMELAB_WIZARD_SSH_KEY: bed.privateKeyPath },
      timeout: 900_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Container id of each service, read on the server. */
async function containers(): Promise<Record<string, string>> {
  const out = await remote(ssh, `docker ps --format '{{.Label "com.docker.compose.service"}} {{.ID}}'`);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Logs in to PostgreSQL as the app would, the password on stdin (never on a command line). */
async function dbLogin(user: string, database: string, password: string): Promise<string> {
  return remote(
    ssh,
    `cd /opt/homelab/${NAME}/current && docker compose -p ${NAME}-infra -f docker-compose-infra.yml exec -T postgresql sh -c 'IFS= read -r p; PGPASSWORD="$p" psql -h 127.0.0.1 -U ${user} -d ${database} -tAc "select current_user"'`,
    { stdin: `${password}\n` },
  );
}

beforeAll(async () => {
  await bed.setUp();
  server = await bed.startServer('vps');
  ssh = await bed.ssh(server);
  await remote(ssh, installDockerScript(bed.mirror));

  identity = await generateIdentity();
  mkdirSync(path.join(project, 'profiles'));
  const raw = {
    schemaVersion: 1,
    project: { name: NAME },
    domain: { name: 'example.com', tls: 'internal' },
    operator: { sshPublicKeys: [bed.publicKey], identityFile: bed.privateKeyPath },
    hosts: [
      {
        name: 'vps',
        role: 'app-server',
        address: '127.0.0.1',
        ssh: { port: server.sshPort, targetPort: server.sshPort, user: 'root', adminUser: 'deploy' },
        os: 'debian-12',
        services: ['docker', 'caddy', 'postgresql', 'redis', 'n8n'],
      },
    ],
    notifications: { method: 'email', email: 'ops@example.com' },
    images: { registry: 'sandbox-registry:5000' },
  };
  writeFileSync(path.join(project, 'profiles', `${NAME}.yaml`), stringify(raw));
  const v = validateProfile(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const entries = new Map(missingSecrets(v.profile, [], (n) => randomBytes(n)).map((g) => [g.key, g.value] as const));
  entries.set('n8n.dbPassword', Secret.of(NASTY));
  await createVault(project, NAME, entries, [await identityToRecipient(identity)]);
}, 600_000);

afterAll(async () => {
  ssh?.dispose();
  await bed.tearDown();
  rmSync(project, { recursive: true, force: true });
  expect(await bed.leftovers()).toEqual([]);
});

describe('deploy on a sandbox server', () => {
  let first: Record<string, string> = {};

  it('brings infra and apps up healthy, and each app logs in to PostgreSQL with its own password', async () => {
    const r = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    first = await containers();
    expect(Object.keys(first).sort()).toEqual(['caddy', 'n8n', 'postgresql', 'redis']);
    // The gate may pass a service before Docker's first scheduled check: Docker must agree afterwards.
    const health = await dockerAgreesHealthy(ssh);
    for (const line of health.split('\n').filter(Boolean)) expect(line).toMatch(/\(healthy\)/);
    expect((await dbLogin('n8n', 'n8n', NASTY)).trim()).toBe('n8n');
    expect(await remote(ssh, `readlink /opt/homelab/${NAME}/current`)).toMatch(/^releases\/[0-9a-f]{12}$/);
    expect(await remote(ssh, `stat -c '%a' /opt/homelab/${NAME}/current/env/n8n.env`)).toBe('600');
  }, 900_000);

  it("the health gate, on this server's Docker: passes a container Docker has not checked yet when its own test passes, and only then", async () => {
    // Docker's first check comes an hour after the start: only the gate's own test can decide.
    const image = (await remote(ssh, `docker inspect -f '{{.Config.Image}}' "$(docker ps -q --filter label=com.docker.compose.service=redis)"`)).trim();
    const start = (svc: string, test: string): Promise<string> =>
      remote(ssh, `docker run -d --name gate-probe-${svc} --label com.docker.compose.project=gate-probe --label com.docker.compose.service=${svc} --label com.docker.compose.oneoff=False --health-cmd '${test}' --health-interval 1h --health-timeout 3s --entrypoint sleep ${image} 600`);
    const gate = (timeout: number, ...svcs: string[]) => ssh.execCommand(`sh -c '${`${HEALTH_GATE}
hlw_gate "$@"`.replaceAll("'", `'\\''`)}' gate gate-probe ${timeout} ${svcs.join(' ')}`);
    try {
      await start('passes', 'test -d /data && echo ok');
      await start('fails', 'exit 1');
      const ok = await gate(10, 'passes');
      expect(ok.code, ok.stderr).toBe(0);
      expect((await remote(ssh, `docker ps --filter name=gate-probe-passes --format '{{.Status}}'`)).trim()).toMatch(/\(health: starting\)/);
      const no = await gate(2, 'passes', 'fails');
      expect(no.code).toBe(1);
      // node-ssh trims the output.
      expect(no.stderr).toBe('fails: not healthy within 2 s, last state: running, health: starting (its own health test does not pass yet)');
    } finally {
      await remote(ssh, 'docker rm -f gate-probe-passes gate-probe-fails >/dev/null 2>&1 || true');
    }
  }, 120_000);

  it('has nothing to do the second time: apply changes nothing and plan exits 0', async () => {
    const again = await cli('apply', '--only', 'deploy');
    expect(again.code, again.stderr).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toMatch(/0 changed/);
    const plan = await cli('plan', '--only', 'deploy');
    expect(plan.code, plan.stdout).toBe(0);
    expect(await containers()).toEqual(first);
  }, 600_000);

  it('recreates only the service whose secret changed, and the new password reaches PostgreSQL', async () => {
    // secrets set reads the value from stdin, never from argv.
    await promisify(execFile)('sh', ['-c', `printf '%s' 'new-$pass "2"' | '${process.execPath}' '${BIN}' --dir '${project}' --profile ${NAME} secrets set n8n.dbPassword`], {
      env: { ...process.env, HOMELAB_WIZARD_IDENTITY: identity },
    });
    const r = await cli('apply', '--only', 'deploy');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const after = await containers();
    expect(after['n8n']).not.toBe(first['n8n']);
    for (const svc of ['caddy', 'postgresql', 'redis']) expect(after[svc], svc).toBe(first[svc]);
    expect((await dbLogin('n8n', 'n8n', 'new-$pass "2"')).trim()).toBe('n8n');
  }, 900_000);

  it('restores the previous release when the new one cannot come up, says why, and leaves the stack running', async () => {
    const file = path.join(project, 'profiles', `${NAME}.yaml`);
    const before = await containers();
    const current = await remote(ssh, `readlink /opt/homelab/${NAME}/current`);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('- n8n', '- { name: n8n, version: 0.0.0-missing }'));
    const r = await cli('apply', '--only', 'deploy');
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/health gate failed/);
    expect(`${r.stdout}${r.stderr}`).toMatch(/restored the previous release/);
    expect(await remote(ssh, `readlink /opt/homelab/${NAME}/current`)).toBe(current);
    expect(await containers()).toEqual(before);
    writeFileSync(file, good);
    const back = await cli('plan', '--only', 'deploy');
    expect(back.code, back.stdout).toBe(0);
  }, 900_000);
});
