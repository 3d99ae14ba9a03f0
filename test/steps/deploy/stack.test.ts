import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from '../../../src/lib/secret.js';
import { parseDeployState } from '../../../src/plan/deploy-state.js';
import type { Profile } from '../../../src/profile/schema.js';
import { renderRelease } from '../../../src/render/release.js';
import { deploySteps } from '../../../src/steps/deploy/stack.js';
import { validExample } from '../../helpers/profiles.js';

const SERVICES = ['docker', 'caddy', 'postgresql', 'redis', 'victoriametrics', 'grafana', 'n8n'];
const profile = (services = SERVICES): Profile => validExample('minimal', (p) => {
  p.hosts[0].services = services;
});
const vault = (over: Record<string, string> = {}) => (key: string): Secret | undefined => Secret.of(over[key] ?? `value-of-${key}`);
const stdinOf = (s: string | Secret | undefined): string => (s === undefined ? '' : isSecret(s) ? s.reveal() : s);

/** Runs a step's `sh -c` command here, with a stand-in `docker` first on PATH. */
function runWithFakeDocker(argv: readonly string[], fakeDocker: string, args?: string[]): { code: number; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-fake-docker-'));
  try {
    writeFileSync(path.join(dir, 'docker'), `#!/bin/sh\n${fakeDocker}\n`, { mode: 0o755 });
    const [, , script, ...rest] = argv;
    try {
      execFileSync('sh', ['-c', script as string, ...(args ?? rest)], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
      return { code: 0, stderr: '' };
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      return { code: e.status, stderr: e.stderr.toString() };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy steps: only what changed is recreated', () => {
  const p = profile();
  const steps = deploySteps(p, p.hosts[0]!, vault());

  it('brings up only the services whose inputs label differs or that are not healthy (a whole-file up would recreate all: compose hashes release paths)', () => {
    const up = steps.find((s) => s.id === 'deploy.stack.infra')!.apply[0]!.argv;
    const expected = up[8] as string;
    const at = (lines: string): string[] => ['homelab-wizard', tmpdir(), up[5] as string, up[6] as string, '/nonexistent-project', lines];
    const [first, second] = expected.split('\n').map((l) => l.split('='));
    // Healthy with the right inputs: only the first service.
    const fake = `if [ "$1" = ps ]; then case "$*" in *service=${first![0]}*inputs=${first![1]}*) echo 'Up 2 minutes (healthy)';; esac; exit 0; fi\n[ "$1" = compose ] && echo "UP $*" >&2 && exit 1`;
    const r = runWithFakeDocker(up, fake, at(`${first!.join('=')}\n${second!.join('=')}`));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`UP compose -p minimal-infra -f docker-compose-infra.yml up -d --remove-orphans --quiet-pull ${second![0]}\\n`));
    expect(r.stderr).not.toMatch(new RegExp(`quiet-pull .*\\b${first![0]}\\b`));
    const none = runWithFakeDocker(up, 'if [ "$1" = ps ]; then echo "Up 1 minute (healthy)"; exit 0; fi\n[ "$1" = compose ] && echo "UP $*" >&2 && exit 1', at(expected));
    expect(none.stderr).toContain('--quiet-pull --no-recreate');
    // Docker has not run its first check on the first service yet, but its own health test passes
    // (the deploy gate's verdict): it is not recreated; the second, whose test fails, is.
    const starting = `case "$1" in
  ps) case "$*" in *-aq*service=${first![0]}*) echo c1;; *-aq*service=${second![0]}*) echo c2;; *service=${first![0]}*inputs=${first![1]}*|*service=${second![0]}*inputs=${second![1]}*) echo 'Up 3 seconds (health: starting)';; esac; exit 0;;
  inspect) printf 'running 0 starting 5000000000\\nCMD\\nhealth-test-of\\n%s\\n' "$4"; exit 0;;
  exec) [ "$4" = c1 ]; exit;;
  compose) echo "UP $*" >&2; exit 1;;
esac`;
    const own = runWithFakeDocker(up, starting, at(`${first!.join('=')}\n${second!.join('=')}`));
    expect(own.stderr).toMatch(new RegExp(`--quiet-pull ${second![0]}\\n`));
  });

  it('the stack check says per service what is not converged: another definition, not running, not healthy, not in the release', () => {
    const check = steps.find((s) => s.id === 'deploy.stack.apps')!;
    expect(check.checkReports).toBe(true);
    const [, , script, , project, expected] = check.check!.argv as string[];
    const wanted = (expected as string).split('\n').map((l) => l.split('=') as [string, string]);
    expect(wanted.length).toBeGreaterThanOrEqual(2);
    const [[a, ha], [b, hb]] = wanted as [[string, string], [string, string]];
    const rest = wanted.slice(2);
    const run = (ps: string): { code: number; stdout: string } => {
      const dir = mkdtempSync(path.join(tmpdir(), 'hlw-fake-docker-'));
      try {
        writeFileSync(path.join(dir, 'ps.txt'), ps);
        writeFileSync(path.join(dir, 'docker'), `#!/bin/sh\n[ "$1" = ps ] && cat '${path.join(dir, 'ps.txt')}'\n`, { mode: 0o755 });
        const stdout = execFileSync('sh', ['-c', script as string, 'homelab-wizard', project as string, expected as string], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8' });
        return { code: 0, stdout };
      } catch (error) {
        const e = error as { status: number; stdout: string };
        return { code: e.status, stdout: e.stdout };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const healthy = (svc: string, hash: string): string => `${svc}=${hash} Up 2 minutes (healthy)\n`;
    const others = rest.map(([svc, hash]) => healthy(svc, hash)).join('');
    expect(run(healthy(a, ha) + healthy(b, hb) + others)).toEqual({ code: 0, stdout: '' });
    const redefined = run(healthy(a, ha) + healthy(b, 'f'.repeat(64)) + others);
    expect(redefined.code).toBe(1);
    expect(redefined.stdout).toBe(`${b}: its compose definition (limits, ports, healthcheck, volumes, ...), image, env file or configs differ from what runs: apply recreates its container\n`);
    expect(run(healthy(a, ha) + others).stdout).toBe(`${b}: not running: apply starts it\n`);
    expect(run(`${healthy(a, ha)}${b}=${hb} Up 5 minutes (unhealthy)\n${others}`).stdout).toBe(`${b}: not healthy (Up 5 minutes (unhealthy))\n`);
    expect(run(healthy(a, ha) + healthy(b, hb) + others + healthy('old-app', 'x')).stdout).toBe('old-app: runs but is not in this release: removed by apply\n');
    // A service whose name starts like another's is not mistaken for it.
    expect(run(healthy(`${a}x`, ha) + healthy(b, hb) + others).stdout).toBe(`${a}: not running: apply starts it\n${a}x: runs but is not in this release: removed by apply\n`);
    // Two containers of one service: the count says it.
    expect(run(healthy(a, ha) + healthy(a, ha) + healthy(b, hb) + others).stdout).toMatch(/^\d+ containers run for \d+ services: the extra ones are removed by apply\n$/);
  });

  it('prunes old releases but keeps current and any release a container still mounts a file from; the check agrees', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hlw-prune-'));
    try {
      const releases = path.join(root, 'releases');
      for (const [i, r] of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'].entries()) {
        mkdirSync(path.join(releases, r), { recursive: true });
        utimesSync(path.join(releases, r), 1_700_000_000 + i * 100, 1_700_000_000 + i * 100);
      }
      symlinkSync('releases/r7', path.join(root, 'current'));
      const prune = steps.find((s) => s.id === 'deploy.release.prune')!;
      const fake = `case "$1" in ps) echo c1 ;; inspect) echo ${releases}/r1/config/caddy/Caddyfile; echo /var/lib/other ;; esac`;
      const args = (argv: readonly string[]): string[] => [argv[3] as string, releases, ...argv.slice(5)];
      expect(runWithFakeDocker(prune.check!.argv, fake, args(prune.check!.argv)).code).toBe(1);
      expect(runWithFakeDocker(prune.apply[0]!.argv, fake, args(prune.apply[0]!.argv)).code).toBe(0);
      // keepReleases 5: current plus the 4 newest others, plus r1 that a container mounts from.
      expect(readdirSync(releases).sort()).toEqual(['r1', 'r3', 'r4', 'r5', 'r6', 'r7']);
      expect(runWithFakeDocker(prune.check!.argv, fake, args(prune.check!.argv)).code).toBe(0);
      // With no more releases than it keeps, neither the check nor the prune asks Docker anything.
      rmSync(path.join(releases, 'r1'), { recursive: true });
      const asked = path.join(root, 'docker-was-asked');
      for (const argv of [prune.check!.argv, prune.apply[0]!.argv]) expect(runWithFakeDocker(argv, `echo "$*" >> ${asked}; exit 3`, args(argv)).code).toBe(0);
      expect(existsSync(asked)).toBe(false);
      expect(readdirSync(releases).sort()).toEqual(['r3', 'r4', 'r5', 'r6', 'r7']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('deploy steps: releases that never went live', () => {
  it('are removed by the prune (unless a container mounts them), do not count among the N kept, and never make the check fail', () => {
    const p = profile();
    const prune = deploySteps(p, p.hosts[0]!, vault()).find((s) => s.id === 'deploy.release.prune')!;
    const root = mkdtempSync(path.join(tmpdir(), 'hlw-prune-failed-'));
    try {
      const releases = path.join(root, 'releases');
      // r3 and r6 failed their health gate (a release.json, never in history.jsonl); r8 is a
      // redeploy's folder left by a kill (.tmp); r0 predates release.json and history.
      const names = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8.tmp'];
      for (const [i, r] of names.entries()) {
        mkdirSync(path.join(releases, r), { recursive: true });
        if (r !== 'r0') writeFileSync(path.join(releases, r, 'release.json'), '{}');
        utimesSync(path.join(releases, r), 1_700_000_000 + i * 100, 1_700_000_000 + i * 100);
      }
      symlinkSync('releases/r7', path.join(root, 'current'));
      const live = ['r1', 'r2', 'r4', 'r5', 'r7'];
      writeFileSync(path.join(root, 'history.jsonl'), live.map((r) => `{"at":"2026-01-01T00:00:00Z","release":"${r}","by":{"runId":"x","command":"apply"}}\n`).join(''));
      const args = (argv: readonly string[]): string[] => [argv[3] as string, releases, ...argv.slice(5)];
      // A container still mounts a file of the failed r6 (its restore failed): it stays.
      const fake = `case "$1" in ps) echo c1 ;; inspect) echo ${releases}/r6/config/caddy/Caddyfile ;; esac`;
      // 7 folders with release.json plus r0, keepReleases 5: r0 is the one live release beyond the
      // newest 5 (r7 current, r5, r4, r2, r1): that is a real change. The failed ones are not.
      expect(runWithFakeDocker(prune.check!.argv, fake, args(prune.check!.argv)).code).toBe(1);
      rmSync(path.join(releases, 'r0'), { recursive: true });
      expect(runWithFakeDocker(prune.check!.argv, fake, args(prune.check!.argv)).code).toBe(0);
      expect(runWithFakeDocker(prune.apply[0]!.argv, fake, args(prune.apply[0]!.argv)).code).toBe(0);
      expect(readdirSync(releases).sort()).toEqual(['r1', 'r2', 'r4', 'r5', 'r6', 'r7']);
      expect(runWithFakeDocker(prune.check!.argv, fake, args(prune.check!.argv)).code).toBe(0);
      // Without history.jsonl (a host set up before it existed) no folder counts as failed.
      rmSync(path.join(root, 'history.jsonl'));
      mkdirSync(path.join(releases, 'r9'));
      writeFileSync(path.join(releases, 'r9', 'release.json'), '{}');
      // r9 is simply the newest; the N rule alone applies (the 4 newest besides current stay).
      expect(runWithFakeDocker(prune.apply[0]!.argv, 'exit 0', args(prune.apply[0]!.argv)).code).toBe(0);
      expect(readdirSync(releases).sort()).toEqual(['r4', 'r5', 'r6', 'r7', 'r9']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('deploy steps: rotation reaches the running services', () => {
  it('ALTERs the postgres superuser and every app user through psql on stdin, keyed by a marker that changes with any password', () => {
    const p = profile();
    const host = p.hosts[0]!;
    const step = deploySteps(p, host, vault()).find((s) => s.id === 'deploy.postgresql.databases')!;
    const [psql, marker] = step.apply;
    expect(psql?.argv).toEqual(['docker', 'compose', '-p', 'minimal-infra', '-f', expect.stringMatching(/\/releases\/[0-9a-f]{12}\/docker-compose-infra\.yml$/), 'exec', '-T', 'postgresql', 'psql', '-q', '-U', 'postgres', '-d', 'postgres']);
    expect(stdinOf(psql?.stdin)).toContain(`ALTER ROLE "postgres" WITH PASSWORD 'value-of-postgresql.superuserPassword';`);
    expect(stdinOf(psql?.stdin)).toContain(`ALTER ROLE "n8n" WITH LOGIN PASSWORD 'value-of-n8n.dbPassword';`);
    expect(JSON.stringify(step)).not.toContain('value-of-postgresql.superuserPassword');
    const rotated = deploySteps(p, host, vault({ 'postgresql.superuserPassword': 'new' })).find((s) => s.id === 'deploy.postgresql.databases')!;
    expect(rotated.check?.argv).not.toEqual(step.check?.argv);
    expect(marker?.argv.join(' ')).toContain('postgresql-provisioned');
  });

  it('runs the superuser ALTER even when no app has a database', () => {
    const p = profile(['docker', 'caddy', 'postgresql']);
    const step = deploySteps(p, p.hosts[0]!, vault()).find((s) => s.id === 'deploy.postgresql.databases');
    expect(step?.describe).toBe('Superuser password');
    expect(stdinOf(step?.apply[0]?.stdin)).toContain('ALTER ROLE "postgres"');
  });

  it("resets Grafana's admin password with its CLI after the apps are up, the password on stdin only", () => {
    const p = profile();
    const steps = deploySteps(p, p.hosts[0]!, vault());
    const ids = steps.map((s) => s.id);
    expect(ids.indexOf('deploy.grafana.admin-password')).toBe(ids.indexOf('deploy.stack.apps') + 1);
    const step = steps.find((s) => s.id === 'deploy.grafana.admin-password')!;
    expect(step.apply[0]?.argv).toEqual([
      'docker', 'compose', '-p', 'minimal', '-f', expect.stringMatching(/\/docker-compose\.yml$/), 'exec', '-T', 'grafana',
      'grafana', 'cli', '--homepath', '/usr/share/grafana', '--config', '/etc/grafana/grafana.ini', 'admin', 'reset-admin-password', '--password-from-stdin',
    ]);
    expect(stdinOf(step.apply[0]?.stdin)).toBe('value-of-grafana.adminPassword\n');
    expect(JSON.stringify(step)).not.toContain('value-of-grafana.adminPassword');
    const rotated = deploySteps(p, p.hosts[0]!, vault({ 'grafana.adminPassword': 'other' })).find((s) => s.id === 'deploy.grafana.admin-password')!;
    expect(rotated.check?.argv).not.toEqual(step.check?.argv);
    const without = profile(['docker', 'caddy', 'postgresql']);
    expect(deploySteps(without, without.hosts[0]!, vault()).some((s) => s.id === 'deploy.grafana.admin-password')).toBe(false);
  });

  it('records the sha256 of every release file in state.json, written 0600 as a secret (env files hold passwords)', () => {
    const p = profile();
    const host = p.hosts[0]!;
    const step = deploySteps(p, host, vault()).find((s) => s.id === 'deploy.release.state')!;
    const file = step.files?.[0];
    expect(file).toMatchObject({ path: '/opt/homelab/minimal/state.json', mode: '0600', owner: 'root:root' });
    expect(isSecret(file?.content)).toBe(true);
    const state = parseDeployState(stdinOf(file?.content));
    const release = renderRelease({ profile: p, host, projectDir: '/opt/homelab/minimal', secret: vault() });
    // Every file of the release, and release.json itself, so a hand edit of any of them is seen.
    expect(Object.keys(state?.files ?? {}).sort()).toEqual([...release.files.map((f) => f.path), 'release.json'].sort());
    const env = release.files.find((f) => f.path === 'env/grafana.env')!;
    expect(state?.files['env/grafana.env']).toBe(createHash('sha256').update(stdinOf(env.content)).digest('hex'));
    expect(state?.services['grafana']?.image).toMatch(/grafana\/grafana:12\.3\.2$/);
  });
});
