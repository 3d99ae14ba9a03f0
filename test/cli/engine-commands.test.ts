import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, startCli } from '../helpers/cli-process.js';
import { startSshd, waitFor, type TestSshd, writeLoopbackProfile } from '../helpers/sshd.js';
import { TmuxSession } from '../helpers/tmux.js';

/**
 * The Done criteria with the built CLI against our own sshd: a project folder with one
 * host at 127.0.0.1 (ssh.port = the test sshd, the target port closed so the documented fallback
 * to the initial login is used), deploy.root in a temp folder. The test sshd runs every command
 * through a wrapper (ForceCommand) that sources a hook first, so a test can hold one remote
 * command to kill a run in the middle of it or to watch the tree live.
 */
let sshd: TestSshd;
let base: string;
let project: string;
let remote: string;
let hook: string;
const sessions: TmuxSession[] = [];

const lab = (): string => path.join(remote, 'lab');
/**
 * The sshd here is this machine's own: plan, apply and status take the deploy phase only, so the harden
 * phase never touches this machine (it is proven on sandbox servers, test/e2e/harden.test.ts).
 */
const onlyDeploy = (args: string[]): string[] => (['plan', 'apply', 'status'].includes(args[0] as string) && !args.includes('--plan') ? [...args, '--only', 'deploy'] : args);
const run = (args: string[], cwd = project) => cli(onlyDeploy(args), { cwd, timeoutMs: 90_000 });

/** The sshd connections a piece of work made. */
async function connectionsOf<T>(work: () => Promise<T>): Promise<[T, number]> {
  const before = sshd.connections();
  const value = await work();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return [value, sshd.connections() - before];
}

function setHook(script: string): void {
  writeFileSync(hook, script);
}

/** Remote commands containing `match` wait (once) until `release` exists, then exit 99 without running. */
function holdHook(match: string): string {
  return [
    `case "$SSH_ORIGINAL_COMMAND" in *${JSON.stringify(match)}*)`,
    `  if [ ! -e ${base}/held ]; then : > ${base}/held; i=0; while [ $i -lt 150 ] && [ ! -e ${base}/release ]; do sleep 0.1; i=$((i+1)); done; exit 99; fi ;;`,
    'esac',
    '',
  ].join('\n');
}

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'hlw-e2e-'));
  hook = path.join(base, 'hook.sh');
  setHook('');
  const wrapper = path.join(base, 'wrapper.sh');
  writeFileSync(wrapper, `#!/bin/sh\n. ${hook}\nexec bash -c "$SSH_ORIGINAL_COMMAND"\n`, { mode: 0o755 });
  sshd = await startSshd({ config: [`ForceCommand ${wrapper}`] });
  project = path.join(base, 'project');
  remote = path.join(base, 'remote');
  await writeLoopbackProfile(project, sshd, remote);
}, 120_000);

afterAll(async () => {
  writeFileSync(path.join(base, 'release'), '');
  for (const s of sessions) s.kill();
  await sshd?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('plan, apply and status against a real sshd', { timeout: 90_000 }, () => {
  it('refuses an unknown host key when not interactive, showing its fingerprint', async () => {
    const [r, connections] = await connectionsOf(() => run(['plan']));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/! box: unknown host key for \[127\.0\.0\.1\]:\d+: ssh-ed25519 SHA256:\S+/);
    expect(r.stdout).toContain('--accept-new-host-keys');
    expect(existsSync(path.join(project, 'profiles', 'lab.known_hosts'))).toBe(false);
    expect(connections).toBe(1);
  });

  it('plans the first run (exit 2) after accepting the key with --accept-new-host-keys', async () => {
    const [r, connections] = await connectionsOf(() => run(['plan', '--accept-new-host-keys']));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`box (root@127.0.0.1:${sshd.port})`);
    expect(r.stdout).toMatch(/\+ deploy\.layout\.releases\s+Folder for releases/);
    expect(r.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy, 0 unchanged.');
    expect(readFileSync(path.join(project, 'profiles', 'lab.known_hosts'), 'utf8')).toContain(sshd.knownHostsLine);
    expect(existsSync(remote)).toBe(false);
    expect(connections).toBe(1);
  });

  it('applies with simple lines when piped, over one connection', async () => {
    const [r, connections] = await connectionsOf(() => run(['apply']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✔ + deploy.layout.releases  Folder for releases (0750 root:root)  [changed]');
    expect(r.stdout).toContain('✔ + deploy.layout.readme  README saying which tool manages the folder  [changed]');
    expect(r.stdout).toContain('✔ audit.log written, lock released');
    expect(r.stdout).toMatch(/Apply complete: 3 changed, 0 unchanged on 1 host\. Log: \.homelab\/logs\/\S+\.log/);
    expect(r.stdout).not.toMatch(/\u001B\[\d*[ABCDGJK]/);
    expect(connections).toBe(1);
    expect(statSync(path.join(lab(), 'releases')).mode & 0o7777).toBe(0o750);
    expect(statSync(path.join(lab(), 'data')).mode & 0o7777).toBe(0o755);
    expect(readFileSync(path.join(lab(), 'README'), 'utf8')).toMatch(/^This folder is managed by homelab-wizard/);
    expect(existsSync(path.join(lab(), 'lock'))).toBe(false);
    const audit = readFileSync(path.join(lab(), 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit).toEqual([expect.objectContaining({ command: 'apply --only deploy', profile: 'lab', result: 'ok', changed: 3, planDigest: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    const log = readdirSync(path.join(project, '.homelab', 'logs'));
    expect(statSync(path.join(project, '.homelab', 'logs', log[0] as string)).mode & 0o777).toBe(0o600);
  });

  it('reports 0 changes on the second apply, and plan exits 0', async () => {
    const [second, c1] = await connectionsOf(() => run(['apply']));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Apply complete: 0 changed, 3 unchanged on 1 host.');
    expect(second.stdout).toContain('✔ = deploy.layout.data  Folder for service data (0755 root:root)  [unchanged]');
    const [plan, c2] = await connectionsOf(() => run(['plan']));
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('no changes');
    expect([c1, c2]).toEqual([1, 1]);
  });

  it('shows drift as a plan with a diff (exit 2) and in status (exit 2)', async () => {
    writeFileSync(path.join(lab(), 'README'), 'edited by hand\n');
    chmodSync(path.join(lab(), 'data'), 0o700);
    const [plan, connections] = await connectionsOf(() => run(['plan']));
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ deploy.layout.data');
    expect(plan.stdout).toContain(`~ ${lab()}/data/: mode 0700 → 0755`);
    expect(plan.stdout).toContain(`--- ${lab()}/README (on the host)`);
    expect(plan.stdout).toContain('-edited by hand');
    expect(plan.stdout).toContain('+This folder is managed by homelab-wizard');
    expect(connections).toBe(1);
    const status = await run(['status']);
    expect(status.code).toBe(2);
    expect(status.stdout).toContain('lock:      free');
    expect(status.stdout).toMatch(/last run: +\S+ `apply --only deploy` by \S+: no-changes, 0 changed/);
    expect(status.stdout).toContain('drift:     2 steps differ: ~ deploy.layout.data, ~ deploy.layout.readme');
    const json = await run(['status', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ host: 'box', reachable: true, lock: null, drift: ['~ deploy.layout.data', '~ deploy.layout.readme'], lastRun: expect.objectContaining({ result: 'no-changes' }) })]);
  });

  it('refuses a saved plan once the host changed, and applies a fresh one', async () => {
    const saved = await run(['plan', '--out', 'plan.json']);
    expect(saved.code).toBe(2);
    expect(statSync(path.join(project, 'plan.json')).mode & 0o777).toBe(0o600);
    writeFileSync(path.join(lab(), 'README'), 'edited again\n');
    const stale = await run(['apply', '--plan', 'plan.json']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/error: the saved plan is stale: box changed since plan\.json was made\n  hint: run `homelab-wizard plan --out FILE` again/);
    expect(readFileSync(path.join(lab(), 'README'), 'utf8')).toBe('edited again\n');
    expect(existsSync(path.join(lab(), 'lock'))).toBe(false);
    expect(readFileSync(path.join(lab(), 'audit.log'), 'utf8').trim().split('\n').at(-1)).toContain('"result":"aborted"');
    expect((await run(['plan', '--out', 'plan.json'])).code).toBe(2);
    const applied = await run(['apply', '--plan', 'plan.json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Apply complete: 2 changed, 1 unchanged');
    expect((await run(['plan'])).code).toBe(0);
  });

  it('prints one JSON event per line with --json', async () => {
    rmSync(path.join(lab(), 'data'), { recursive: true });
    const r = await run(['apply', '--json']);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; at: string });
    expect(events[0]).toMatchObject({ type: 'run-start', command: 'apply --only deploy', profile: 'lab', hosts: ['box'] });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['host-locked', 'host-plan', 'step-start', 'command', 'step-done', 'host-done']));
    expect(events.at(-1)).toMatchObject({ type: 'run-done', result: 'ok', changed: 1, unchanged: 2 });
    for (const e of events) expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r.stderr).toContain('Apply complete: 1 changed');
  });

  it('stops at a failing step with its command, exit code, stderr and the log path', async () => {
    rmSync(path.join(lab(), 'releases'), { recursive: true });
    writeFileSync(path.join(lab(), 'releases'), 'a file in the way\n');
    const r = await run(['apply']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✖ box: step deploy.layout.releases failed (apply)');
    expect(r.stderr).toContain(`    command:   install -d -m 0750 -o root -g root -- ${lab()}/releases`);
    expect(r.stderr).toContain('    exit code: 1');
    expect(r.stderr).toMatch(/stderr \(last 1 line\):\n\s+install: .*File exists/);
    const logPath = /full log: +(\S+)/.exec(r.stderr)?.[1] as string;
    expect(readFileSync(logPath, 'utf8')).toContain('install -d -m 0750');
    expect(r.stdout).toContain('Apply failed: 0 changed, 0 unchanged on 1 host; failed: box.');
    expect(existsSync(path.join(lab(), 'lock'))).toBe(false);
    rmSync(path.join(lab(), 'releases'));
    expect((await run(['apply'])).code).toBe(0);
  });

  it('refuses a host locked by another operator, and takes it with --break-lock', async () => {
    mkdirSync(path.join(lab(), 'lock'));
    const info = { runId: '20260101T090000Z-abcdef', owner: 'grace', operatorHost: 'desk.example.com', pid: 77, startedAt: '2026-01-01T09:00:00.000Z', command: 'apply --only deploy' };
    writeFileSync(path.join(lab(), 'lock', 'info.json'), JSON.stringify(info));
    const status = await run(['status']);
    expect(status.stdout).toContain('lock:      held by grace@desk.example.com since 2026-01-01T09:00:00.000Z (pid 77, apply --only deploy)');
    const refused = await run(['apply']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('✖ box: locked by grace@desk.example.com (pid 77, `apply --only deploy`) since 2026-01-01T09:00:00.000Z; it may be stale: taken');
    expect(refused.stderr).toContain('hint: if no run is still going, break it with `homelab-wizard apply --break-lock`');
    expect(JSON.parse(readFileSync(path.join(lab(), 'lock', 'info.json'), 'utf8'))).toEqual(info);
    const broken = await run(['apply', '--break-lock']);
    expect(broken.code, broken.stderr).toBe(0);
    expect(existsSync(path.join(lab(), 'lock'))).toBe(false);
    expect(readFileSync(path.join(lab(), 'audit.log'), 'utf8').trim().split('\n').at(-1)).toContain('"brokeLock":"grace@desk.example.com pid 77 run 20260101T090000Z-abcdef since 2026-01-01T09:00:00.000Z"');
  });

  it('converges with a second apply after the first was killed with SIGKILL in the middle', async () => {
    rmSync(path.join(lab(), 'data'), { recursive: true });
    rmSync(path.join(lab(), 'README'));
    setHook(holdHook(`${lab()}/data`));
    const first = startCli(onlyDeploy(['apply']), { cwd: project, timeoutMs: 60_000 });
    await waitFor(() => existsSync(path.join(base, 'held')), (held) => held, 30_000);
    expect(existsSync(path.join(base, 'held'))).toBe(true);
    first.child.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    // The killed run left its lock, with its pid, on the host.
    const left = JSON.parse(readFileSync(path.join(lab(), 'lock', 'info.json'), 'utf8')) as { pid: number };
    expect(left.pid).toBe(first.child.pid);
    writeFileSync(path.join(base, 'release'), '');
    setHook('');

    const second = await run(['apply']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/The previous apply \(run \S+, started \S+\) did not finish/);
    expect(second.stderr).toMatch(/Taking over the lock of run \S+: its process \(pid \d+\) on this machine is gone\./);
    expect(second.stdout).toContain('Apply complete: 2 changed, 1 unchanged');
    expect((await run(['plan'])).code).toBe(0);
    expect(existsSync(path.join(lab(), 'lock'))).toBe(false);
  });

  it('refuses a second apply while the first is in progress, saying so (who, since when, pid), never that it did not finish', async () => {
    rmSync(path.join(lab(), 'data'), { recursive: true });
    rmSync(path.join(base, 'held'), { force: true });
    rmSync(path.join(base, 'release'), { force: true });
    setHook(holdHook(`${lab()}/data`));
    const first = startCli(onlyDeploy(['apply']), { cwd: project, timeoutMs: 60_000 });
    await waitFor(() => existsSync(path.join(base, 'held')), (held) => held, 30_000);
    const second = await run(['apply']);
    writeFileSync(path.join(base, 'release'), '');
    await first.result;
    setHook('');
    expect(second.code).toBe(1);
    expect(second.stderr).not.toMatch(/did not finish/);
    expect(second.stderr).toMatch(new RegExp(`box: another run is in progress: \\S+@\\S+ \\(pid ${first.child.pid}, \`apply --only deploy\`\\) since \\d{4}-\\d\\d-\\d\\dT`));
    expect(second.stderr).toContain('hint: wait for it to finish, then run again');
    expect((await run(['apply'])).code).toBe(0);
  });

  it('on SIGTERM finishes the running step, then releases the lock and exits 130', async () => {
    rmSync(path.join(lab(), 'data'), { recursive: true });
    rmSync(path.join(base, 'held'), { force: true });
    rmSync(path.join(base, 'release'), { force: true });
    setHook(holdHook(`${lab()}/data`));
    const run1 = startCli(onlyDeploy(['apply']), { cwd: project, timeoutMs: 60_000 });
    await waitFor(() => existsSync(path.join(base, 'held')), (held) => held, 30_000);
    run1.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(path.join(base, 'release'), '');
    const r = await run1.result;
    setHook('');
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Stopping after the current step');
    expect(r.stdout).toContain('Apply stopped:');
    expect(existsSync(path.join(lab(), 'lock'))).toBe(false);
    expect(readFileSync(path.join(lab(), 'audit.log'), 'utf8').trim().split('\n').at(-1)).toMatch(/"result":"(failed|aborted)"/);
    expect((await run(['apply'])).code).toBe(0);
  });
});

describe('in a real terminal (tmux)', () => {
  it('draws a live tree while apply runs', async () => {
    rmSync(path.join(lab(), 'releases'), { recursive: true });
    rmSync(path.join(lab(), 'data'), { recursive: true });
    rmSync(path.join(base, 'held'), { force: true });
    rmSync(path.join(base, 'release'), { force: true });
    setHook(holdHook(`${lab()}/releases`));
    const tmux = TmuxSession.start(`NO_COLOR=1 node ${BIN} apply --only deploy; echo EXIT=$?`, { cwd: project, env: {}, name: 'live-tree', width: 100, height: 30 });
    sessions.push(tmux);
    const live = await tmux.waitFor(/deploy\.layout\.releases/, 30_000);
    await waitFor(() => existsSync(path.join(base, 'held')), (held) => held, 30_000);
    const during = tmux.screen();
    // A spinner on the running step, under its phase, under its host: drawn in place, not as lines.
    expect(during).toMatch(/box {2}root@127\.0\.0\.1:\d+ {2}\(2 to change, 1 unchanged\)/);
    expect(during).toMatch(/^\s+[❯⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] deploy$/m);
    expect(during).toMatch(/^\s+[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \+ deploy\.layout\.releases/m);
    expect(live).toBeTruthy();
    writeFileSync(path.join(base, 'release'), '');
    const end = await tmux.waitFor(/EXIT=\d+/, 60_000);
    // The held command exited 99 without running: the tree shows the failure in place.
    expect(end).toMatch(/✖ \+ deploy\.layout\.releases/);
    expect(end).toContain('EXIT=1');
    setHook('');
    tmux.kill();
    expect((await run(['apply'])).code).toBe(0);
  }, 120_000);

  it('asks about an unknown host key on the terminal and remembers the answer', async () => {
    const fresh = path.join(base, 'fresh-project');
    cpSync(path.join(project, 'profiles'), path.join(fresh, 'profiles'), { recursive: true });
    rmSync(path.join(fresh, 'profiles', 'lab.known_hosts'));
    const tmux = TmuxSession.start(`NO_COLOR=1 node ${BIN} plan --only deploy; echo EXIT=$?`, { cwd: fresh, env: {}, name: 'host-key', width: 100, height: 30 });
    sessions.push(tmux);
    const asked = await tmux.waitFor(/Trust this key for box/, 30_000);
    expect(asked).toMatch(/The host key of box \(\[127\.0\.0\.1\]:\d+\) is not known yet:\n\s+ssh-ed25519 SHA256:\S+/);
    tmux.keys('y');
    await tmux.waitFor(/Trust this key for box and remember it\? \(y\/N\) y/, 10_000);
    tmux.keys('Enter');
    const end = await tmux.waitFor(/EXIT=\d+/, 30_000);
    expect(end).toContain('no changes');
    expect(end).toContain('EXIT=0');
    expect(readFileSync(path.join(fresh, 'profiles', 'lab.known_hosts'), 'utf8')).toContain(sshd.knownHostsLine);
    tmux.kill();
  }, 90_000);
});
