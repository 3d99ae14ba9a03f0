import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/lib/secret.js';
import type { Profile } from '../../../src/profile/schema.js';
import { smokePlan } from '../../../src/smoke/checks.js';
import { hostScript } from '../../../src/smoke/host-script.js';
import { DAY2_SERVICE_UP as SERVICE_UP_SCRIPT, DAY2_STACK_SWITCH as STACK_SWITCH_SCRIPT } from '../../../src/remote/generated-scripts.js';
import { CATALOG } from '../../../src/catalog/catalog.js';
import { REMOTE_SCRIPTS } from '../../../src/remote/generated-scripts.js';
import { PROGRESS_MARK } from '../../../src/shell/progress.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS, HEALTH_GATE, healthBounds } from '../../../src/steps/deploy/health-gate.js';
import { deploySteps, STACK_UP } from '../../../src/steps/deploy/stack.js';
import { validExample } from '../../helpers/profiles.js';
import { ensureCommands } from '../../helpers/system-packages.js';

/**
 * The health gate, run by real dash against a stand-in `docker` (fake-docker) that plays a
 * container's life from files: `ctr-SERVICE` (its id), `CID.inspect` (what `docker inspect -f`
 * prints; `CID.inspect.N` for the Nth call), `CID.exec-codes` (exit code of the Nth `docker exec`,
 * the last line repeating; `hang` sleeps; `CID.exec-out` is what it prints). Every exec's argv is
 * logged to `exec.log`.
 */
const FAKE_DOCKER = `#!/bin/sh
d="$FAKE_DOCKER_DIR"
count() { n=$(cat "$d/$1" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$d/$1"; echo "$n"; }
case "$1" in
  ps)
    svc=$(printf '%s\\n' "$@" | sed -n 's/^label=com.docker.compose.service=//p')
    [ -f "$d/ctr-$svc" ] && cat "$d/ctr-$svc"
    exit 0 ;;
  inspect)
    cid=$4; n=$(count "$cid.inspects")
    if [ -f "$d/$cid.inspect.$n" ]; then cat "$d/$cid.inspect.$n"; elif [ -f "$d/$cid.inspect" ]; then cat "$d/$cid.inspect"; else echo "Error: No such object: $cid" >&2; exit 1; fi
    exit 0 ;;
  exec)
    shift; cid=$1; n=$(count "$cid.execs")
    { printf 'exec'; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "$d/exec.log"
    [ -f "$d/$cid.exec-out" ] && cat "$d/$cid.exec-out"
    code=$(sed -n "\${n}p" "$d/$cid.exec-codes" 2>/dev/null); [ -n "$code" ] || code=$(tail -n 1 "$d/$cid.exec-codes" 2>/dev/null)
    [ "$code" = hang ] && exec sleep 20
    exit "\${code:-1}" ;;
esac
echo "fake-docker: unexpected: $*" >&2
exit 2
`;

let dir = '';
let REAL_TIMEOUT = '';
beforeAll(() => {
  ensureCommands({ dash: 'dash', timeout: 'coreutils' });
  REAL_TIMEOUT = execFileSync('sh', ['-c', 'command -v timeout'], { encoding: 'utf8' }).trim();
});
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function bed(files: Record<string, string>): void {
  dir = mkdtempSync(path.join(tmpdir(), 'hlw-fake-docker-gate-'));
  writeFileSync(path.join(dir, 'docker'), FAKE_DOCKER, { mode: 0o755 });
  // fake-timeout: logs the bound it was given, then the real coreutils timeout does the work.
  writeFileSync(path.join(dir, 'timeout'), `#!/bin/sh\necho "$1" >> "$FAKE_DOCKER_DIR/timeout.log"\nexec ${REAL_TIMEOUT} "$@"\n`, { mode: 0o755 });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
}

function gate(timeout: number, ...services: string[]): { code: number; stdout: string; stderr: string; execs: string[]; inspects: number; bounds: string[] } {
  const r = spawnSync('dash', ['-c', `${HEALTH_GATE}\nhlw_gate "$@"`, 'gate', 'proj', String(timeout), ...services], {
    env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, FAKE_DOCKER_DIR: dir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const log = path.join(dir, 'exec.log');
  const execs = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  const counter = path.join(dir, 'c1.inspects');
  const bounds = path.join(dir, 'timeout.log');
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, execs, inspects: existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0, bounds: existsSync(bounds) ? readFileSync(bounds, 'utf8').trim().split('\n') : [] };
}

// What `docker inspect -f` prints: "status exitcode health timeout-ns", then the test, one item a line.
const REDIS_TEST = 'CMD-SHELL\nredis-cli -h 127.0.0.1 ping | grep -q PONG\n';
const inspect = (state: string, test = REDIS_TEST): string => `${state}\n${test}`;

describe('health gate: Docker has not run its first check yet', () => {
  it("runs the container's own CMD-SHELL test through /bin/sh -c, polling until it passes", () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n0\n' });
    const r = gate(10, 'redis');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.execs).toEqual(['exec [c1] [/bin/sh] [-c] [redis-cli -h 127.0.0.1 ping | grep -q PONG]', 'exec [c1] [/bin/sh] [-c] [redis-cli -h 127.0.0.1 ping | grep -q PONG]']);
    expect(r.inspects).toBe(2);
    expect(r.bounds).toEqual(['5', '5']);
  });

  it('passes a CMD test as separate arguments, spaces kept', () => {
    bed({ 'ctr-app': 'c1\n', 'c1.inspect': inspect('running 0 starting 3000000000', 'CMD\nwget\n-q\n--spider\nhttp://127.0.0.1:8080/a b\n'), 'c1.exec-codes': '0\n' });
    const r = gate(5, 'app');
    expect(r.code).toBe(0);
    expect(r.execs).toEqual(['exec [c1] [wget] [-q] [--spider] [http://127.0.0.1:8080/a b]']);
  });

  it("bounds the own test by the check's timeout: a hanging test is killed and counts as not passing", () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 1000000000'), 'c1.exec-codes': 'hang\n0\n' });
    const r = gate(10, 'redis');
    expect(r.code).toBe(0);
    expect(r.execs).toHaveLength(2);
    expect(r.bounds).toEqual(['1', '1']);
  });

  it("Docker's verdict wins: once Docker says healthy, no test of ours runs", () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect.1': inspect('running 0 starting 5000000000'), 'c1.inspect': inspect('running 0 healthy 5000000000'), 'c1.exec-codes': '1\n' });
    const r = gate(10, 'redis');
    expect(r.code).toBe(0);
    expect(r.execs).toHaveLength(1);
    expect(r.inspects).toBe(2);
  });

  it('times out naming the service and its last state when the test never passes', () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n' });
    const r = gate(2, 'redis');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('  redis: not healthy within 2 s, last state: running, health: starting (its own health test does not pass yet)\n');
    expect(r.execs.length).toBeGreaterThanOrEqual(2);
  });

  it("takes the test's timeout in nanoseconds, and Docker's default (30 s) when it reads anything else", () => {
    bed({ 'ctr-a': 'c1\n', 'c1.inspect': inspect('running 0 starting 5s'), 'c1.exec-codes': '0\n' });
    const r = gate(5, 'a');
    expect(r.code).toBe(0);
    expect(r.execs).toHaveLength(1);
    expect(r.bounds).toEqual(['30']);
  });

  it('with a timeout of 0 looks once (what the checks use)', () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n' });
    const r = gate(0, 'redis');
    expect(r.code).toBe(1);
    expect(r.execs).toHaveLength(1);
  });
});

describe('health gate: its own bound per service, and what it waits for', () => {
  const NO_REDIS = 'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n';

  it("gives up on a service at that service's bound, not Docker's verdict, naming the last output of its health test", () => {
    // Docker would say "starting" for its whole start period: the gate does not wait for that.
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n', 'c1.exec-out': NO_REDIS });
    const r = gate(300, 'redis=2');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`  redis: not healthy within 2 s, last state: running, health: starting (its own health test does not pass yet: ${NO_REDIS.trim()})\n`);
  });

  it('counts every bound from the start of the gate (the containers started together)', () => {
    bed({
      'ctr-a': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n1\n0\n',
      'ctr-b': 'c2\n', 'c2.inspect': inspect('running 0 starting 5000000000'), 'c2.exec-codes': '1\n',
    });
    // a passes on its third look (about 2 s); b's bound of 1 s is then already over: one look, then it fails.
    const r = gate(300, 'a=30', 'b=1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ {2}b: not healthy within 1 s/);
    expect(r.execs.filter((e) => e.startsWith('exec [c2]'))).toHaveLength(1);
  });

  it('says on progress lines (stdout) which service it waits for, elapsed/bound, the state and the last health output', () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n1\n0\n', 'c1.exec-out': NO_REDIS });
    const r = gate(300, 'redis=30');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(new RegExp(`^${PROGRESS_MARK}health gate: waiting for redis, [01]/30 s: running, health: starting \\(its own health test does not pass yet: Could not connect to Redis at 127\\.0\\.0\\.1:6379: Connection refused\\)$`));
  });

  it('prints nothing on stdout when it does not wait (the checks parse their own stdout)', () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n', 'c1.exec-out': NO_REDIS });
    expect(gate(0, 'redis').stdout).toBe('');
  });

  it('maps services to their bounds from a list (hlw_bounded), leaving unlisted ones to the default', () => {
    const r = spawnSync('dash', ['-c', `${HEALTH_GATE}\nhlw_bounded "$@"`, 'x', 'redis=30 n8n=180 n8n-worker=60', 'n8n', 'redis', 'other'], { encoding: 'utf8' });
    expect(r.stdout).toBe('n8n=180 redis=30 other ');
  });

  it('takes each bound from the catalogue: n8n gets longer than redis, every one less than Docker would take', () => {
    expect(healthBounds(['caddy', 'postgresql', 'redis', 'n8n', 'not-in-catalogue'])).toBe(`caddy=30 postgresql=120 redis=30 n8n=180 not-in-catalogue=${DEFAULT_HEALTH_TIMEOUT_SECONDS}`);
    for (const entry of CATALOG.filter((e) => e.placement.kind === 'compose' && e.health)) {
      const h = entry.health!;
      expect(entry.healthTimeoutSeconds, entry.id).toBeDefined();
      expect(entry.healthTimeoutSeconds!, entry.id).toBeLessThan(h.startPeriodSeconds + h.retries * h.intervalSeconds);
    }
  });

  it('deploy, redeploy and rollback hand the catalogue bounds to the gate', () => {
    const profile: Profile = validExample('minimal');
    const steps = deploySteps(profile, profile.hosts[0]!, (key) => Secret.of(`value-of-${key}`));
    const apps = steps.find((s) => s.id === 'deploy.stack.apps')!;
    expect(apps.apply[0]!.argv.at(-1)).toBe('n8n=180');
    const infra = steps.find((s) => s.id === 'deploy.stack.infra')!;
    expect(infra.apply[0]!.argv.at(-1)).toBe('caddy=30 postgresql=120 redis=30');
    expect(STACK_UP).toContain('gate=$(hlw_bounded "$6" $gate)');
    expect(STACK_SWITCH_SCRIPT).toContain('hlw_gate "$1" "$3" $(hlw_bounded "$bounds" $_svcs)');
  });
});

describe('health gate: states Docker already knows', () => {
  it('passes healthy containers and containers without a health check (also test NONE) without running anything', () => {
    bed({
      'ctr-a': 'c1\n', 'c1.inspect': inspect('running 0 healthy 5000000000'),
      'ctr-b': 'c2\n', 'c2.inspect': inspect('running 0 none 0', ''),
      'ctr-c': 'c3\n', 'c3.inspect': inspect('running 0 none 0', 'NONE\n'),
    });
    const r = gate(5, 'a', 'b', 'c');
    expect(r.code).toBe(0);
    expect(r.execs).toEqual([]);
  });

  it.each([
    ['running 0 unhealthy 5000000000', '  redis: running, unhealthy (Docker health check failed)\n'],
    ['exited 1 starting 5000000000', '  redis: exited (exit code 1)\n'],
    ['dead 137 none 0', '  redis: dead (exit code 137)\n'],
    ['restarting 1 starting 5000000000', '  redis: restarting (last exit code 1)\n'],
  ])('fails at once on %s, naming the service and the state', (state, message) => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect(state), 'c1.exec-codes': '0\n' });
    const r = gate(60, 'redis');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(message);
    expect(r.inspects).toBe(1);
    expect(r.execs).toEqual([]);
  });

  it('fails when a service has no container, and checks every service given', () => {
    bed({ 'ctr-a': 'c1\n', 'c1.inspect': inspect('running 0 healthy 5000000000') });
    const r = gate(5, 'a', 'b');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('  b: no container\n');
  });
});

describe('health gate: one definition, used by every script that gates or judges health', () => {
  const profile: Profile = validExample('minimal', (p) => {
    p.hosts[0].services = ['docker', 'caddy', 'postgresql', 'redis', 'victoriametrics', 'grafana', 'n8n'];
  });
  const steps = deploySteps(profile, profile.hosts[0]!, (key) => Secret.of(`value-of-${key}`));
  const stack = steps.filter((s) => s.id.startsWith('deploy.stack.'));
  const smoke = hostScript(smokePlan(profile, profile.hosts[0]!), '/opt/x/current').argv[2] as string;

  it('deploy (check and up), redeploy, rollback and smoke carry it, and nothing waits with compose --wait', () => {
    expect(stack.length).toBe(2);
    const scripts = [...stack.flatMap((s) => [s.check!.argv[2] as string, s.apply[0]!.argv[2] as string]), STACK_UP, SERVICE_UP_SCRIPT, STACK_SWITCH_SCRIPT, smoke];
    for (const script of scripts) {
      expect(script).toContain(HEALTH_GATE);
      expect(script.split('hlw_gate() {').length).toBe(2);
      expect(script).not.toContain('--wait');
    }
    expect(HEALTH_GATE).not.toContain('undefined');
  });
});

describe('"healthy now": one shell function, hlw_healthy_now', () => {
  const now = (status: string): number =>
    spawnSync('dash', ['-c', `${HEALTH_GATE}\nhlw_healthy_now "$@"`, 'now', 'proj', 'redis', status], {
      env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, FAKE_DOCKER_DIR: dir },
      encoding: 'utf8',
      timeout: 30_000,
    }).status ?? -1;

  it("is Docker's healthy, or starting with the container's own test passing now, and nothing else", () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '0\n' });
    expect(now('Up 3 minutes (healthy)')).toBe(0);
    expect(now('Up 2 seconds (health: starting)')).toBe(0);
    expect(now('Up 3 minutes (unhealthy)')).toBe(1);
    expect(now('Up 3 minutes')).toBe(1);
    expect(now('')).toBe(1);
    // Docker's healthy needs no test of ours: only the starting case ran one.
    expect(readFileSync(path.join(dir, 'exec.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('is not healthy while starting when the own test fails', () => {
    bed({ 'ctr-redis': 'c1\n', 'c1.inspect': inspect('running 0 starting 5000000000'), 'c1.exec-codes': '1\n' });
    expect(now('Up 2 seconds (health: starting)')).toBe(1);
  });

  it('is the only place a script reads "(healthy)" or "(health: starting)" from a status text', () => {
    const scripts = REMOTE_SCRIPTS.filter((s) => s.name !== 'LIB_HEALTH' && !s.uses.includes('health'));
    for (const s of scripts) expect(s.text, s.file).not.toMatch(/\(healthy\)|\(health: starting\)/);
    for (const s of REMOTE_SCRIPTS.filter((x) => x.uses.includes('health'))) {
      const body = s.text.slice(s.text.indexOf('hlw_healthy_now() {'));
      const own = body.slice(body.indexOf('\n}') + 2);
      expect(own.match(/\*'\(healthy\)'\*/g) ?? [], s.file).toEqual([]);
    }
  });
});
