import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateIdentity } from 'age-encryption';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { SandboxServer } from '../../src/sandbox/servers.js';
import { REPO } from '../helpers/profiles.js';
import { TmuxSession } from '../helpers/tmux.js';
import { dockerAgreesHealthy, installDockerScript, remote, TestBed } from './helpers/test-bed.js';

/**
 * The day-2 chain of issue 8 on ONE sandbox server: init --answers → apply --only deploy → a new
 * n8n version → redeploy n8n (only its container is recreated) → a broken image → redeploy →
 * automatic rollback → rollback n8n → a second apply with 0 changes. Then no secret value may
 * show up anywhere it should not: project files, CLI output, a process list sampled during the
 * redeploy, logs, world-readable files on the host.
 */
const exec = promisify(execFile);
const BIN = path.join(REPO, 'bin/homelab-wizard.js');
const bed = new TestBed('day2');
const root = mkdtempSync(path.join(tmpdir(), 'hlw-e2e-day2-'));
const project = path.join(root, 'infra');
const NAME = 'e2e-day2';
const NASTY = `pa'ss "word" $HOME \\back\\slash sp ace ünïcödé`;
const started = Date.now();
let identity = '';
let server: SandboxServer;
let ssh: NodeSSH;
/** Everything the CLI printed, for the final secret scan. */
const outputs: string[] = [];
const psSamples: string[] = [];

function env(): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', CI: '1', HOMELAB_WIZARD_IDENTITY: identity, HOMELAB_WIZARD_SSH_KEY: bed.privateKeyPath, XDG_CONFIG_HOME: path.join(root, 'config') };
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let r: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, '--dir', project, '--profile', NAME, ...args], { env: env(), timeout: 900_000 });
    r = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    r = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** A value on stdin, never in argv. */
function setSecret(key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--dir', project, '--profile', NAME, 'secrets', 'set', key], { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`secrets set ${key}: ${err}`))));
    child.stdin.end(value);
  });
}

const profileFile = (): string => path.join(project, 'profiles', `${NAME}.yaml`);

/** Sets n8n's entry in the profile (the plain profile written by init): its settings, or none. */
function setN8n(settings: { version?: string; memoryLimit?: string } = {}): void {
  const doc = parse(readFileSync(profileFile(), 'utf8')) as { hosts: { services: (string | { name: string; version?: string })[] }[] };
  const services = doc.hosts[0]!.services.map((s) => ((typeof s === 'string' ? s : s.name) === 'n8n' ? (Object.keys(settings).length > 0 ? { name: 'n8n', ...settings } : 'n8n') : s));
  doc.hosts[0]!.services = services;
  writeFileSync(profileFile(), stringify(doc));
}

/** Sets n8n's `version:` in the profile. */
const setN8nVersion = (version: string | undefined): void => setN8n(version ? { version } : {});

async function containers(): Promise<Record<string, string>> {
  const out = await remote(ssh, `docker ps --format '{{.Label "com.docker.compose.service"}} {{.ID}}'`);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

async function n8nState(): Promise<{ image: string; status: string }> {
  const [image = '', ...status] = (await remote(ssh, `docker ps --filter label=com.docker.compose.service=n8n --format '{{.Image}} {{.Status}}'`)).trim().split(' ');
  return { image, status: status.join(' ') };
}

const current = (): Promise<string> => remote(ssh, `readlink /opt/homelab/${NAME}/current`);

/** The app's own password (read from its container's environment) logs in to PostgreSQL; stdin only. */
async function appLogsIn(): Promise<string> {
  return remote(
    ssh,
    `cd /opt/homelab/${NAME}/current && docker exec "$(docker ps -q --filter label=com.docker.compose.service=n8n)" printenv DB_POSTGRESDB_PASSWORD | docker compose -p ${NAME}-infra -f docker-compose-infra.yml exec -T postgresql sh -c 'IFS= read -r p; PGPASSWORD="$p" psql -h 127.0.0.1 -U n8n -d n8n -tAc "select current_user"'`,
  );
}

beforeAll(async () => {
  await bed.setUp();
  server = await bed.startServer('vps');
  ssh = await bed.ssh(server);
  await remote(ssh, installDockerScript(bed.mirror));
  identity = await generateIdentity();
  mkdirSync(project);
  const answers = {
    project: { name: NAME },
    domain: { name: 'example.com', tls: 'internal' },
    operator: { sshPublicKeys: [bed.publicKey], identityFile: bed.privateKeyPath },
        // Reached at its address on the bed's network (SSH on 22, Caddy on 443), so the smoke checks
    // go through Caddy where a real operator's would.
    hosts: [{ name: 'vps', role: 'app-server', address: server.address, ssh: { port: 22, targetPort: 22, user: 'root', adminUser: 'deploy' }, services: ['n8n'] }],
    notifications: { method: 'email', email: 'ops@example.com' },
    admins: { n8nOwner: { email: 'ops@example.com', firstName: 'Ada', lastName: 'Lovelace' } },
    images: { registry: 'sandbox-registry:5000' },
    output: { encryptedProfile: false },
  };
  writeFileSync(path.join(root, 'answers.yaml'), stringify(answers));
}, 900_000);

afterAll(async () => {
  process.stderr.write(`day2 e2e wall time: ${Math.round((Date.now() - started) / 1000)} s\n`);
  ssh?.dispose();
  await bed.tearDown();
  rmSync(root, { recursive: true, force: true });
  expect(await bed.leftovers()).toEqual([]);
});

describe('day 2 on a sandbox server: redeploy, automatic rollback, rollback, no leaks', () => {
  let first: Record<string, string> = {};
  let firstRelease = '';
  let redeployed: Record<string, string> = {};

  it('init --answers, then apply --only deploy brings the stack up; the app logs in with a nasty password', async () => {
    const init = await cli('init', '--answers', path.join(root, 'answers.yaml'), '--non-interactive');
    expect(init.code, `${init.stdout}\n${init.stderr}`).toBe(0);
    await setSecret('n8n.dbPassword', NASTY);
    const r = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    first = await containers();
    expect(Object.keys(first).sort()).toEqual(['caddy', 'n8n', 'postgresql', 'redis']);
    firstRelease = await current();
    expect(firstRelease).toMatch(/^releases\/[0-9a-f]{12}$/);
    expect((await appLogsIn()).trim()).toBe('n8n');
    const manifest = JSON.parse(await remote(ssh, `cat /opt/homelab/${NAME}/current/release.json`)) as { release: string; services: Record<string, { image: string }> };
    expect(`releases/${manifest.release}`).toBe(firstRelease);
    expect(manifest.services['n8n']?.image).toMatch(/n8n:2\.7\.3$/);
    expect(await remote(ssh, `stat -c '%a' /opt/homelab/${NAME}/current/release.json`)).toBe('600');
  }, 900_000);

  it('smoke: every check of the enabled services passes, through Caddy too', async () => {
    const r = await cli('smoke', '--json');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; hosts: { checks: { id: string; status: string; reason: string }[] }[] };
    const results = out.hosts.flatMap((h) => h.checks);
    expect(results.map((c) => c.id)).toEqual(expect.arrayContaining(['caddy.health', 'n8n.healthz', 'n8n.db-login', 'postgresql.ready', 'redis.ping']));
    expect(results.filter((c) => c.status !== 'PASS').map((c) => `${c.id}: ${c.status} ${c.reason}`)).toEqual([]);
    expect(out.ok).toBe(true);
  }, 300_000);

  it('redeploy n8n to a new version: diff shown, confirmation needed, only n8n recreated', async () => {
    setN8nVersion('2.8.0-stand-in');
    const refused = await cli('redeploy', 'n8n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await containers()).toEqual(first);

    const sampling = remote(ssh, 'rm -f /tmp/stop-sampling; for i in $(seq 1 900); do ps -eo args; echo ---; [ -f /tmp/stop-sampling ] && break; sleep 0.2; done');
    const r = await cli('redeploy', 'n8n', '--yes');
    await remote(ssh, 'touch /tmp/stop-sampling');
    psSamples.push(await sampling);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/image: .*n8n:2\.7\.3 → .*n8n:2\.8\.0-stand-in/);
    expect(r.stdout).toMatch(/n8n is healthy on release [0-9a-f]{12}/);
    redeployed = await containers();
    expect(redeployed['n8n']).not.toBe(first['n8n']);
    for (const svc of ['caddy', 'postgresql', 'redis']) expect(redeployed[svc], svc).toBe(first[svc]);
    expect((await n8nState()).image).toMatch(/:2\.8\.0-stand-in$/);
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
    expect(await current()).not.toBe(firstRelease);
    expect((await appLogsIn()).trim()).toBe('n8n');

    const again = await cli('redeploy', 'n8n', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing to redeploy/);
  }, 900_000);

  it('a broken image: redeploy fails its gate, n8n is rolled back automatically and healthy, exit 1', async () => {
    const before = await current();
    setN8nVersion('0.0.0-missing');
    const r = await cli('redeploy', 'n8n', '--yes', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/health gate failed/);
    expect(r.stderr).toMatch(/rolled back to release [0-9a-f]{12}; it is healthy again/);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { result: string; to: string };
    expect(result.result).toBe('rolled-back');
    expect(await current()).toBe(before);
    // The failed release never went live: its folder is gone, so it cannot pile up in releases/.
    expect(result.to).toMatch(/^[0-9a-f]{12}$/);
    expect((await remote(ssh, `ls -1 /opt/homelab/${NAME}/releases`)).split('\n')).not.toContain(result.to);
    expect(await containers()).toEqual(redeployed);
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
  }, 900_000);

  it('rollback lists the releases, takes n8n back, then the whole stack there and back; a second apply has 0 changes', async () => {
    const listed = await cli('rollback', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as { releases: { id: string; current: boolean; lastActive?: { who?: string; command?: string }; versions: Record<string, string> }[] };
    expect(list.releases.length).toBeGreaterThanOrEqual(2);
    expect(list.releases[0]?.current).toBe(true);
    expect(list.releases[0]?.lastActive?.command).toBe('redeploy n8n');
    expect(list.releases[0]?.lastActive?.who).toMatch(/@/);
    expect(list.releases.find((x) => `releases/${x.id}` === firstRelease)?.versions['n8n']).toMatch(/:2\.7\.3$/);

    const unknown = await cli('rollback', 'n8n', '--to', 'ffffffffffff', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(firstRelease.replace('releases/', ''));

    const r = await cli('rollback', 'n8n', '--yes');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect((await n8nState()).image).toMatch(/:2\.7\.3$/);
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
    const after = await containers();
    for (const svc of ['caddy', 'postgresql', 'redis']) expect(after[svc], svc).toBe(first[svc]);
    // Content-addressed: n8n back on the first release's files is the first release.
    expect(await current()).toBe(firstRelease);

    // The whole stack: back to the release active before (the redeployed one), then --to the first.
    const stack = await cli('rollback', '--yes');
    expect(stack.code, `${stack.stdout}\n${stack.stderr}`).toBe(0);
    expect(stack.stdout).toMatch(/Data folders are not touched/);
    expect(await current()).toBe(`releases/${list.releases[0]!.id}`);
    expect((await n8nState()).image).toMatch(/:2\.8\.0-stand-in$/);
    const back = await cli('rollback', '--to', firstRelease.replace('releases/', ''), '--yes');
    expect(back.code, `${back.stdout}\n${back.stderr}`).toBe(0);
    expect(await current()).toBe(firstRelease);
    const final = await containers();
    for (const svc of ['caddy', 'postgresql', 'redis']) expect(final[svc], svc).toBe(first[svc]);
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
    const after2 = await containers();

    setN8nVersion(undefined);
    const apply = await cli('apply', '--only', 'deploy');
    expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
    expect(`${apply.stdout}${apply.stderr}`).toMatch(/0 changed/);
    expect(await containers()).toEqual(after2);
    expect(after2['n8n']).not.toBe(after['n8n']);
    expect((await appLogsIn()).trim()).toBe('n8n');
  }, 900_000);

  it('a memory limit alone reaches the container: plan names n8n (exit 2), status reports the drift, apply recreates only n8n, a second apply has 0 changes', async () => {
    const before = await containers();
    setN8n({ memoryLimit: '1100M' });
    const plan = await cli('plan', '--only', 'deploy');
    expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(2);
    expect(plan.stdout).toMatch(/~ deploy\.stack\.apps .*\n\s+n8n: its compose definition \(limits, .*\), image, env file or configs differ from what runs/);
    // Every failing check is explained; no bare 'check exited N' line is left.
    expect(plan.stdout).not.toMatch(/^\s*check exited \d+\s*$/m);
    const status = await cli('status', '--only', 'deploy');
    expect(status.code, `${status.stdout}\n${status.stderr}`).toBe(2);
    expect(status.stdout).toMatch(/drift: .*~ deploy\.stack\.apps/);
    expect(status.stdout).toMatch(/deploy\.stack\.apps: n8n: its compose definition/);

    const apply = await cli('apply', '--only', 'deploy');
    expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
    const after = await containers();
    expect(after['n8n']).not.toBe(before['n8n']);
    for (const svc of ['caddy', 'postgresql', 'redis']) expect(after[svc], svc).toBe(before[svc]);
    expect((await remote(ssh, `docker inspect -f '{{.HostConfig.Memory}}' ${after['n8n']}`)).trim()).toBe(String(1100 * 1024 * 1024));
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
    expect((await appLogsIn()).trim()).toBe('n8n');

    const again = await cli('apply', '--only', 'deploy');
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toMatch(/0 changed/);
    expect(await containers()).toEqual(after);
    const clean = await cli('status', '--only', 'deploy');
    expect(clean.code, `${clean.stdout}\n${clean.stderr}`).toBe(0);
  }, 900_000);

  it('redeploy runs on the one engine: a dry run changes nothing; --json gives the events and audit line of apply; killed mid-change, the next redeploy takes the lock over and finishes', async () => {
    const audit = async (): Promise<Record<string, unknown>[]> => (await remote(ssh, `cat /opt/homelab/${NAME}/audit.log`)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = (stdout: string): Record<string, unknown>[] => stdout.split('\n').filter((l) => l.startsWith('{"type"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const applied = await cli('apply', '--only', 'deploy', '--json');
    expect(applied.code, applied.stderr).toBe(0);
    const applyEvents = events(applied.stdout);
    const applyAudit = (await audit()).at(-1) as Record<string, unknown>;
    expect(applyAudit['command']).toBe('apply --only deploy');

    setN8n({ memoryLimit: '1100M', version: '2.8.0-stand-in' });
    const before = await containers();
    const releaseBefore = await current();
    const dry = await cli('redeploy', 'n8n', '--dry-run');
    expect(dry.code, `${dry.stdout}\n${dry.stderr}`).toBe(2);
    expect(dry.stdout).toMatch(/image: .*n8n:2\.7\.3 → .*n8n:2\.8\.0-stand-in/);
    expect(dry.stdout).toMatch(/^~ deploy\.redeploy\.n8n /m);
    expect(dry.stdout).toMatch(/^\s+n8n: its container was not created from release [0-9a-f]{12}/m);
    expect(await containers()).toEqual(before);
    expect((await audit()).at(-1)).toEqual(applyAudit); // a dry run takes no lock and writes no audit line

    // Killed (SIGKILL) once the step brings n8n up: no run-done, the lock stays behind.
    const child = spawn(process.execPath, [BIN, '--dir', project, '--profile', NAME, 'redeploy', 'n8n', '--yes', '--json'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const killed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300_000);
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        // The second command of the step: the seed ran, the service is being brought up.
        if (events(seen).filter((e) => e['type'] === 'command' && e['step'] === 'deploy.redeploy.n8n').length >= 2 && child.exitCode === null) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve(true);
        }
      });
      child.on('exit', () => resolve(false));
    });
    expect(killed, seen).toBe(true);
    expect(events(seen).some((e) => e['type'] === 'run-done')).toBe(false);
    expect(await remote(ssh, `cat /opt/homelab/${NAME}/lock/info.json`)).toMatch(/"command":"redeploy n8n"/);

    const resumed = await cli('redeploy', 'n8n', '--yes', '--json');
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    expect(resumed.stderr).toMatch(/The previous redeploy \(run \S+, started \S+\) did not finish/);
    expect(resumed.stderr).toMatch(/Taking over the lock of run \S+: its process \(pid \d+\) on this machine is gone/);
    expect((await n8nState()).image).toMatch(/:2\.8\.0-stand-in$/);
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
    expect(await current()).not.toBe(releaseBefore);
    const after = await containers();
    for (const svc of ['caddy', 'postgresql', 'redis']) expect(after[svc], svc).toBe(before[svc]);
    expect(await remote(ssh, `test -e /opt/homelab/${NAME}/lock && echo held || echo free`)).toBe('free');

    // The same stream as apply: every event type apply used, with the same fields.
    const redeployEvents = events(resumed.stdout);
    const shape = (list: Record<string, unknown>[]): Map<string, string> => new Map(list.map((e) => [String(e['type']), Object.keys(e).filter((k) => !['reason', 'error', 'replaced', 'warning', 'failedStep'].includes(k)).sort().join(',')]));
    const applyShape = shape(applyEvents);
    const redeployShape = shape(redeployEvents);
    for (const type of ['run-start', 'host-locked', 'host-plan', 'step-start', 'command', 'step-done', 'host-done', 'run-done']) {
      expect(redeployShape.get(type), type).toBeDefined();
      if (applyShape.has(type)) expect(redeployShape.get(type), type).toBe(applyShape.get(type));
    }
    expect(redeployEvents.find((e) => e['type'] === 'run-start')).toMatchObject({ command: 'redeploy n8n', hosts: ['vps'] });
    expect(redeployEvents.find((e) => e['type'] === 'step-done')).toMatchObject({ step: 'deploy.redeploy.n8n', result: 'changed' });
    expect(redeployEvents.at(-1)).toMatchObject({ type: 'run-done', result: 'ok', changed: 1 });
    expect(JSON.parse(resumed.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ service: 'n8n', result: 'ok' });
    const redeployAudit = (await audit()).at(-1) as Record<string, unknown>;
    expect(redeployAudit).toMatchObject({ command: 'redeploy n8n', result: 'ok', changed: 1 });
    expect(String(redeployAudit['brokeLock'])).toMatch(/pid \d+ run \S+/);
    expect(Object.keys(redeployAudit).filter((k) => k !== 'brokeLock').sort()).toEqual(Object.keys(applyAudit).sort());
  }, 900_000);

  it('restart keeps the container and brings it back healthy, audited; logs and exec print through the redaction', async () => {
    const before = await containers();
    const startedAt = (): Promise<string> => remote(ssh, `docker inspect -f '{{.State.StartedAt}}' ${before['n8n']}`);
    const startedBefore = await startedAt();
    const refused = await cli('restart', 'n8n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    const r = await cli('restart', 'n8n', '--yes');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/n8n on vps restarted and healthy/);
    expect(await containers()).toEqual(before);
    expect(await startedAt()).not.toBe(startedBefore);
    expect(await dockerAgreesHealthy(ssh, '--filter label=com.docker.compose.service=n8n')).toMatch(/\(healthy\)/);
    expect(JSON.parse((await remote(ssh, `tail -n 1 /opt/homelab/${NAME}/audit.log`)).trim())).toMatchObject({ command: 'restart n8n', result: 'ok', changed: 1 });

    const logs = await cli('logs', 'postgresql', '--tail', '3');
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Not a terminal here: the command's output comes line by line, the password replaced.
    const shown = await cli('exec', 'n8n', '--', 'printenv', 'DB_POSTGRESDB_PASSWORD');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toContain(NASTY);
    expect(shown.stdout.trim()).toBe('[redacted]');
    expect(JSON.parse((await remote(ssh, `tail -n 1 /opt/homelab/${NAME}/audit.log`)).trim())).toMatchObject({ command: 'exec n8n -- printenv DB_POSTGRESDB_PASSWORD', result: 'ok' });
    const failing = await cli('exec', 'n8n', '--', 'sh', '-c', 'exit 7');
    expect(failing.code).toBe(7);

    // In a real terminal (tmux): the container's shell gets one, keys go in, output comes back
    // redacted, and the command's exit code is exec's.
    const term = TmuxSession.start(`'${process.execPath}' '${BIN}' --dir '${project}' --profile ${NAME} exec n8n -- sh`, { cwd: root, env: { ...env(), CI: undefined }, name: 'exec' });
    try {
      // The container's shell prompt first: keys typed while the local terminal switches to raw
      // mode are at the mercy of that switch, which is not what this checks.
      await term.waitFor(/[$#] ?$/m, 60_000);
      term.type('echo "on $(tty)"; printenv DB_POSTGRESDB_PASSWORD');
      term.enter();
      const screen = await term.waitFor(/on \/dev\/pts\/\d+$/m, 60_000);
      await term.waitFor(/^\[redacted\]$/m);
      expect(screen).not.toContain(NASTY);
      term.type('exit 3');
      term.enter();
      expect(await term.exitCode()).toBe(3);
      outputs.push(term.screen());
    } finally {
      term.kill();
    }
    const none = await cli('logs', 'qdrant');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no host of this profile runs qdrant/);
  }, 900_000);

  it('no secret value appears in project files, CLI output, the process list, logs or world-readable files on the host', async () => {
    const keyFile = path.join(root, 'identity.txt');
    writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
    const { stdout } = await exec('age', ['-d', '-i', keyFile, path.join(project, 'vault', `${NAME}.age`)]);
    rmSync(keyFile);
    const values = Object.values(parse(stdout) as Record<string, string>).map(String).filter((v) => v.length >= 8);
    expect(values).toContain(NASTY);
    expect(values.length).toBeGreaterThanOrEqual(5);

    const leaks: string[] = [];
    const check = (where: string, text: string): void => {
      for (const v of values) if (text.includes(v)) leaks.push(`${where} holds a secret (${v.length} chars)`);
    };
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => {
      const full = path.join(dir, n);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
    const files = walk(project).filter((f) => !/\.age(\.bak)?$/.test(f));
    expect(files.some((f) => f.includes(`${path.sep}.homelab${path.sep}logs`))).toBe(true);
    for (const f of files) check(path.relative(project, f), readFileSync(f, 'utf8'));
    outputs.forEach((o, i) => check(`CLI output #${i}`, o));
    expect(psSamples.join('').split('---').length).toBeGreaterThan(3);
    check('ps -eo args during redeploy', psSamples.join('\n'));
    check('audit.log and history.jsonl on the host', await remote(ssh, `cat /opt/homelab/${NAME}/audit.log /opt/homelab/${NAME}/history.jsonl`));

    // Patterns travel as a 0600 file content over stdin, never in argv.
    await remote(ssh, 'umask 077; cat > /root/.day2-patterns', { stdin: `${values.join('\n')}\n` });
    // A planted world-readable copy of one value (on this throwaway server) proves the scan finds leaks.
    await remote(ssh, 'umask 022; cat > /tmp/day2-canary', { stdin: `x ${values[0]} x\n` });
    // World-readable means what an unprivileged user can open: the o+r bit AND every parent
    // folder passable. Files with o+r behind a root-only folder (containerd's state) are listed,
    // not failed: only root reaches them.
    const found = await ssh.execCommand(
      "find / \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -type f -perm -o+r -print0 2>/dev/null | LC_ALL=C xargs -0 -r grep -lF -f /root/.day2-patterns 2>/dev/null | while IFS= read -r f; do if setpriv --reuid=65534 --regid=65534 --clear-groups -- test -r \"$f\"; then echo \"readable $f\"; else echo \"guarded $f\"; fi; done; rm -f /root/.day2-patterns; true",
    );
    const hits = found.stdout.split('\n').filter(Boolean);
    const guarded = hits.filter((h) => h.startsWith('guarded '));
    if (guarded.length > 0) process.stderr.write(`o+r files holding a secret, reachable by root only:\n${guarded.map((g) => `  ${g.slice(8)}`).join('\n')}\n`);
    await remote(ssh, 'rm -f /tmp/day2-canary');
    expect(hits).toContain('readable /tmp/day2-canary');
    leaks.push(...hits.filter((h) => h.startsWith('readable ') && h !== 'readable /tmp/day2-canary').map((h) => `world-readable on the host: ${h.slice(9)}`));
    expect(leaks).toEqual([]);
  }, 900_000);
});
