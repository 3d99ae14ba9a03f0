import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { finishScript, lockAndProbeScript, MAX_DIFF_BYTES, parseProbeOutput, ProbeProtocolError, probeScript } from '../../src/engine/probe-script.js';
import type { ProbeRequest } from '../../src/engine/runner.js';
import { sha256 } from '../../src/plan/evaluate.js';
import type { AuditEntry, LockInfo } from '../../src/plan/host-state.js';

/**
 * The probe scripts run here with this machine's real sh and coreutils (what a Debian host has),
 * against a temp folder: no SSH needed to prove what they report.
 */
const root = mkdtempSync(path.join(tmpdir(), 'hlw-probe-'));
const project = path.join(root, 'proj');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => rmSync(project, { recursive: true, force: true }));

const sh = (script: string): { stdout: string; stderr: string } => {
  const stdout = execFileSync('sh', ['-s'], { input: script, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return { stdout, stderr: '' };
};

const lock = (runId: string): LockInfo => ({ runId, owner: 'ada', operatorHost: 'laptop.example.com', pid: 4242, startedAt: '2026-01-01T10:00:00.000Z', command: 'apply' });

function request(files: { path: string; content: string; secret?: boolean }[], checks: string[][] = []): ProbeRequest {
  return {
    project,
    steps: [
      ...checks.map((argv) => ({ check: { argv }, files: [] })),
      { check: null, files: files.map((f) => ({ path: f.path, sha256: sha256(f.content), secret: f.secret === true })) },
    ],
  };
}

describe('probe script', () => {
  it('reports check exit codes and file facts in one run', () => {
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'same'), 'same\n', { mode: 0o640 });
    writeFileSync(path.join(project, 'plain'), 'old line\n');
    writeFileSync(path.join(project, 'secret'), 'OLD_PASSWORD=hunter2\n');
    mkdirSync(path.join(project, 'a-dir'));
    symlinkSync('/etc/hostname', path.join(project, 'link'));
    const req = request(
      [
        { path: path.join(project, 'same'), content: 'same\n' },
        { path: path.join(project, 'plain'), content: 'new line\n' },
        { path: path.join(project, 'secret'), content: 'NEW_PASSWORD=x\n', secret: true },
        { path: path.join(project, 'missing'), content: 'x' },
        { path: path.join(project, 'a-dir'), content: 'x' },
        { path: path.join(project, 'link'), content: 'x' },
      ],
      [['true'], ['sh', '-c', 'echo "@@hlw check 0 0"; exit 3'], ['no-such-program-hlw']],
    );
    const out = sh(probeScript(req));
    const { report } = parseProbeOutput('box', req, `login noise\n${out.stdout}`, out.stderr);
    expect(report?.steps.map((s) => s.checkExit)).toEqual([0, 3, 127, null]);
    const files = report?.steps[3]?.files ?? [];
    expect(files[0]).toEqual({ state: 'present', sha256: sha256('same\n'), mode: 0o640, owner: 'root:root/0:0', size: 5 });
    expect(files[1]).toMatchObject({ state: 'present', content: 'old line\n' });
    expect(files[2]).toMatchObject({ state: 'present', size: 21 });
    expect(files[2]).not.toHaveProperty('content');
    expect(out.stdout).not.toContain(Buffer.from('OLD_PASSWORD=hunter2\n').toString('base64'));
    expect(files.slice(3)).toEqual([{ state: 'absent' }, { state: 'not-a-file' }, { state: 'not-a-file' }]);
  });

  it("sends back what a reporting check printed (base64, so it cannot forge a result), and only when it fails", () => {
    const req: ProbeRequest = {
      project,
      steps: [
        { check: { argv: ['sh', '-c', 'echo "n8n: not running"; echo "@@hlw check 1 0"; echo; echo "redis: not healthy"; exit 1'] }, report: true, files: [] },
        { check: { argv: ['sh', '-c', 'echo all fine; exit 0'] }, report: true, files: [] },
        { check: { argv: ['sh', '-c', 'echo not read; exit 1'] }, files: [] },
        { check: { argv: ['sh', '-c', 'exit 3'] }, report: true, files: [] },
      ],
    };
    const out = sh(probeScript(req));
    const { report } = parseProbeOutput('box', req, out.stdout, out.stderr);
    expect(report?.steps.map((s) => s.checkExit)).toEqual([1, 0, 1, 3]);
    expect(report?.steps[0]?.checkSays).toEqual(['n8n: not running', '@@hlw check 1 0', 'redis: not healthy']);
    for (const i of [1, 2, 3]) expect(report?.steps[i]).not.toHaveProperty('checkSays');
    expect(out.stdout).not.toContain('all fine');
  });

  it('reports folders: absent, present with mode and owner, or something else in the way', () => {
    mkdirSync(path.join(project, 'kept'), { recursive: true, mode: 0o750 });
    writeFileSync(path.join(project, 'a-file'), 'x');
    const req: ProbeRequest = { project, steps: [{ check: null, dirs: [path.join(project, 'kept'), path.join(project, 'gone'), path.join(project, 'a-file')], files: [] }] };
    const { report } = parseProbeOutput('box', req, sh(probeScript(req)).stdout, '');
    expect(report?.steps[0]?.dirs).toEqual([{ state: 'present', mode: 0o750, owner: 'root:root/0:0' }, { state: 'absent' }, { state: 'not-a-dir' }]);
  });

  it('sends no content for a file too large to diff, and says so', () => {
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'big'), 'x'.repeat(MAX_DIFF_BYTES + 1));
    const req = request([{ path: path.join(project, 'big'), content: 'small' }]);
    const { report } = parseProbeOutput('box', req, sh(probeScript(req)).stdout, '');
    expect(report?.steps[0]?.files[0]).toMatchObject({ state: 'present', tooLarge: true });
    expect(report?.steps[0]?.files[0]).not.toHaveProperty('content');
  });

  it('reads the lock and the last audit line', () => {
    mkdirSync(path.join(project, 'lock'), { recursive: true });
    writeFileSync(path.join(project, 'lock', 'info.json'), JSON.stringify(lock('run-1')));
    writeFileSync(path.join(project, 'audit.log'), '{"at":"1","result":"ok","runId":"a"}\n{"at":"2","result":"failed","runId":"b"}\n');
    const req = request([]);
    const { report } = parseProbeOutput('box', req, sh(probeScript(req)).stdout, '');
    expect(report?.lock).toEqual(lock('run-1'));
    expect(report?.lastAudit).toMatchObject({ at: '2', result: 'failed', runId: 'b' });
  });

  it('reads the inventory: containers of the compose projects, state.json, current and the checksum of every file under it', () => {
    const release = path.join(project, 'releases', 'abc123abc123');
    mkdirSync(path.join(release, 'config', 'caddy'), { recursive: true });
    writeFileSync(path.join(release, 'docker-compose.yml'), 'services: {}\n');
    writeFileSync(path.join(release, 'config', 'caddy', 'Caddy file'), 'edited\n');
    symlinkSync('releases/abc123abc123', path.join(project, 'current'));
    writeFileSync(path.join(project, 'state.json'), '{"release":"abc123abc123"}\n');
    // A stand-in `docker` first on PATH: `docker ps` prints one tab-separated line per project.
    const bin = path.join(root, 'fake-docker-bin');
    mkdirSync(bin, { recursive: true });
    // Two containers Docker has not checked yet: the gate's single look runs their own test (n8n's passes, qdrant's fails).
    const fakeDocker = String.raw`#!/bin/sh
[ "$1" = version ] && exit 0
case "$1 $2" in
  'ps -aq') printf 'c-%s\n' "$(printf '%s' "$*" | sed -n 's/.*service=\([a-z0-9]*\).*/\1/p')"; exit 0 ;;
  'inspect -f') case "$4" in c-n8n) printf 'running 0 starting 5000000000\nCMD-SHELL\ntrue\n' ;; *) printf 'running 0 starting 5000000000\nCMD-SHELL\nfalse\n' ;; esac; exit 0 ;;
  'exec c-n8n') exit 0 ;;
  exec*) exit 1 ;;
esac
case "$*" in
  *'{{.ID}}'*'{{.Label "homelab-wizard.inputs"}}'*) ;;
  *) echo "stand-in docker: the probe must ask for the container id and the inputs label" >&2; exit 2 ;;
esac
case "$*" in
  *project=lab-infra*) printf 'postgresql\treg/postgres:18\trunning\tUp 2 minutes (healthy)\tc1\tin-pg\n' ;;
  *'project=lab '*) printf 'grafana\treg/grafana:12\texited\tExited (0) 1 second ago\tc2\tin-gr\nn8n\treg/n8n:1\trunning\tUp 3 seconds (health: starting)\tc3\tin-n8n\nqdrant\treg/qdrant:1\trunning\tUp 3 seconds (health: starting)\tc4\tin-qd\n' ;;
esac
`;
    writeFileSync(path.join(bin, 'docker'), fakeDocker, { mode: 0o755 });
    const req: ProbeRequest = { project, steps: [], inventory: { composeProjects: ['lab-infra', 'lab'] } };
    const stdout = execFileSync('sh', ['-s'], { input: probeScript(req), encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    const { report } = parseProbeOutput('box', req, stdout, '');
    expect(report?.inventory).toEqual({
      docker: true,
      containers: [
        { project: 'lab-infra', service: 'postgresql', image: 'reg/postgres:18', state: 'running', status: 'Up 2 minutes (healthy)', id: 'c1', inputs: 'in-pg' },
        { project: 'lab', service: 'grafana', image: 'reg/grafana:12', state: 'exited', status: 'Exited (0) 1 second ago', id: 'c2', inputs: 'in-gr' },
        { project: 'lab', service: 'n8n', image: 'reg/n8n:1', state: 'running', status: 'Up 3 seconds (health: starting)', ownTest: 'pass', id: 'c3', inputs: 'in-n8n' },
        { project: 'lab', service: 'qdrant', image: 'reg/qdrant:1', state: 'running', status: 'Up 3 seconds (health: starting)', ownTest: 'fail', id: 'c4', inputs: 'in-qd' },
      ],
      stateJson: '{"release":"abc123abc123"}\n',
      current: 'releases/abc123abc123',
      files: expect.arrayContaining([{ path: 'docker-compose.yml', sha256: sha256('services: {}\n') }, { path: 'config/caddy/Caddy file', sha256: sha256('edited\n') }]),
    });
    expect(report?.inventory?.files).toHaveLength(2);
    const none = request([]);
    expect(parseProbeOutput('box', none, sh(probeScript(none)).stdout, '').report?.inventory).toBeUndefined();
    expect(() => parseProbeOutput('box', req, stdout.replace('@@hlw inventory-end\n', ''), '')).toThrow(/gave no inventory/);

    // Day-2 commands also ask for the release folders (release.json and compose files, never env
    // files), the switch history and the host's clock, in the same round trip.
    writeFileSync(path.join(release, 'release.json'), '{"version":1}\n');
    writeFileSync(path.join(release, 'app.env'), 'SECRET=1\n');
    mkdirSync(path.join(project, 'releases', 'def456def456'));
    writeFileSync(path.join(project, 'history.jsonl'), '{"release":"abc123abc123"}\n');
    const withReleases: ProbeRequest = { ...req, inventory: { composeProjects: ['lab-infra', 'lab'], releases: true } };
    const out = execFileSync('sh', ['-s'], { input: probeScript(withReleases), encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    expect(out).not.toContain(Buffer.from('SECRET=1\n').toString('base64'));
    const inv = parseProbeOutput('box', withReleases, out, '').report?.inventory;
    expect(inv?.releases).toEqual([
      { id: 'abc123abc123', mtime: expect.any(Number), manifest: '{"version":1}\n', compose: { apps: 'services: {}\n' } },
      { id: 'def456def456', mtime: expect.any(Number), manifest: null, compose: {} },
    ]);
    expect(inv?.history).toBe('{"release":"abc123abc123"}\n');
    expect(Math.abs((inv?.clock ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('is an error when the output stops early', () => {
    const req = request([], [['true']]);
    const cut = sh(probeScript(req)).stdout.split('\n').slice(0, 1).join('\n');
    expect(() => parseProbeOutput('box', req, cut, 'sh: killed')).toThrow(ProbeProtocolError);
    expect(() => parseProbeOutput('box', req, '', 'sh: not found')).toThrow(/box: the probe script did not start \(stderr: sh: not found\)/);
  });
});

describe('lock and finish scripts', () => {
  const req = (): ProbeRequest => request([]);

  it('creates the project folder, takes the lock, and refuses a second run with who and since', () => {
    const first = parseProbeOutput('box', req(), sh(lockAndProbeScript(req(), { info: lock('run-1') })).stdout, '');
    expect(first.lock).toEqual({ acquired: true });
    expect(first.report).toBeDefined();
    expect(statSync(project).mode & 0o777).toBe(0o755);
    expect(JSON.parse(readFileSync(path.join(project, 'lock', 'info.json'), 'utf8'))).toEqual(lock('run-1'));
    const second = parseProbeOutput('box', req(), sh(lockAndProbeScript(req(), { info: lock('run-2') })).stdout, '');
    expect(second).toEqual({ lock: { acquired: false, holder: lock('run-1') } });
  });

  it('takes over only the lock the operator saw', () => {
    sh(lockAndProbeScript(req(), { info: lock('run-1') }));
    const wrong = parseProbeOutput('box', req(), sh(lockAndProbeScript(req(), { info: lock('run-3'), takeOver: 'run-2' })).stdout, '');
    expect(wrong.lock).toMatchObject({ acquired: false });
    const right = parseProbeOutput('box', req(), sh(lockAndProbeScript(req(), { info: lock('run-3'), takeOver: 'run-1' })).stdout, '');
    expect(right.lock).toEqual({ acquired: true, replaced: lock('run-1') });
    expect(JSON.parse(readFileSync(path.join(project, 'lock', 'info.json'), 'utf8')).runId).toBe('run-3');
  });

  it('reports a lock without owner information as unreadable, and can break it', () => {
    mkdirSync(path.join(project, 'lock'), { recursive: true });
    const held = parseProbeOutput('box', req(), sh(lockAndProbeScript(req(), { info: lock('run-1') })).stdout, '');
    expect(held.lock).toEqual({ acquired: false, holder: { unreadable: expect.stringMatching(/no owner information/) } });
    const broken = parseProbeOutput('box', req(), sh(lockAndProbeScript(req(), { info: lock('run-1'), takeOver: '' })).stdout, '');
    expect(broken.lock).toMatchObject({ acquired: true });
  });

  it('appends one audit line (0640) and releases only its own lock', () => {
    sh(lockAndProbeScript(req(), { info: lock('run-1') }));
    const entry: AuditEntry = { at: '2026-01-01T10:01:00.000Z', runId: 'run-1', who: "ada@laptop 'quoted'", command: 'apply', profile: 'home', planDigest: 'abc', result: 'ok', changed: 2 };
    expect(sh(finishScript(project, { ...entry, runId: 'run-9' }, 'run-9')).stdout).toContain('@@hlw not-ours');
    expect(statSync(path.join(project, 'lock')).isDirectory()).toBe(true);
    expect(sh(finishScript(project, entry, 'run-1')).stdout).toContain('@@hlw released');
    expect(() => statSync(path.join(project, 'lock'))).toThrow();
    const lines = readFileSync(path.join(project, 'audit.log'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).runId)).toEqual(['run-9', 'run-1']);
    expect(JSON.parse(lines[1] as string)).toEqual(entry);
    expect(statSync(path.join(project, 'audit.log')).mode & 0o777).toBe(0o640);
  });
});
