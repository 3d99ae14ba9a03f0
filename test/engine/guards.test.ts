import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armCommand, decideGuard, disarmCommand, guardFiles, guardMeta, guardScript, parseGuardMeta, revertNowCommand } from '../../src/engine/guards.js';
import { lockAndProbeScript, parseProbeOutput, probeScript } from '../../src/engine/probe-script.js';
import type { ProbeRequest } from '../../src/engine/runner.js';
import { guardFoundText, type GuardFacts, type GuardMeta } from '../../src/plan/guard-facts.js';
import type { Step } from '../../src/plan/step.js';
import { hardenContext } from '../../src/steps/harden/context.js';
import { sshSteps } from '../../src/steps/harden/ssh.js';
import { validExample } from '../helpers/profiles.js';

/**
 * The pure parts of a guard: its names (per project and step, never per run), its revert script
 * (run here with this machine's sh, as systemd runs it on a host), the arm command as systemd-run
 * receives it, and the rule that decides what a later run does with a guard it finds.
 */
const root = mkdtempSync(path.join(tmpdir(), 'hlw-guards-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ufwStep: Step = {
  id: 'harden.firewall.rules',
  describe: 'firewall',
  host: 'vps',
  check: null,
  apply: [],
  guard: { seconds: 180, revert: [{ argv: ['ufw', '--force', 'disable'] }] },
  prove: 'current',
  risk: 'disruptive',
};

describe('guard names', () => {
  it('belong to the project and the step, not to a run', () => {
    expect(guardFiles('/opt/homelab/demo', 'harden.firewall.rules')).toEqual({ unit: 'homelab-wizard-guard-demo-harden-firewall-rules', path: '/opt/homelab/demo/guards/harden-firewall-rules.sh' });
    expect(guardFiles('/srv/apps/My_Lab/', 'harden.ssh.config')).toEqual({ unit: 'homelab-wizard-guard-my-lab-harden-ssh-config', path: '/srv/apps/My_Lab//guards/harden-ssh-config.sh' });
    // The run id is recorded inside the script, never in a name.
    expect(guardMeta(ufwStep, 'run-1')).toEqual({ step: 'harden.firewall.rules', runId: 'run-1', seconds: 180, prove: 'current' });
  });
});

describe('the revert script', () => {
  it('records the step, the run, the proof and the keep check in a header the probe reads back', () => {
    const profile = validExample('minimal');
    const config = sshSteps(hardenContext(profile, profile.hosts[0]!)).find((s) => s.id === 'harden.ssh.config') as Step;
    const meta = guardMeta(config, '20260101T000000Z-abc');
    expect(meta).toEqual({ step: 'harden.ssh.config', runId: '20260101T000000Z-abc', seconds: 180, prove: { port: 2222, user: 'deploy' }, keepIf: ['sshd', '-t'] });
    const script = guardScript(meta, config.guard!.revert, '/opt/homelab/demo/guards/harden-ssh-config.sh');
    const header = script.split('\n')[1]!;
    expect(header.startsWith('# homelab-wizard guard ')).toBe(true);
    expect(parseGuardMeta(header.slice('# homelab-wizard guard '.length))).toEqual(meta);
    expect(parseGuardMeta('bm90IGpzb24=')).toBeUndefined();
  });

  it('is exactly the revert commands, each run even when one before failed, and removes itself only when all passed', () => {
    const file = path.join(root, 'two.sh');
    const meta: GuardMeta = { step: 'harden.t.x', runId: 'r', seconds: 5, prove: 'current' };
    const marks = path.join(root, 'marks');
    const revert = [{ argv: ['sh', '-c', 'echo first >> "$1"; exit "$2"', 'hlw', marks, '3'] }, { argv: ['sh', '-c', 'echo "second $1" >> "$2"', 'hlw', "it's \\; $1", marks] }];
    const script = guardScript(meta, revert, file);
    expect(script.split('\n').slice(2)).toEqual([
      '# Reverts harden.t.x (armed by run r) unless a run proves the change safe and removes this file.',
      's=0',
      `sh -c 'echo first >> "$1"; exit "$2"' hlw ${marks} 3 || s=1`,
      `sh -c 'echo "second $1" >> "$2"' hlw 'it'\\''s \\; $1' ${marks} || s=1`,
      `if [ "$s" = 0 ]; then rm -f -- ${file}; fi`,
      'exit "$s"',
      '',
    ]);
    writeFileSync(file, script, { mode: 0o700 });
    // Run as systemd runs it: the file itself, no shell text around it.
    expect(() => execFileSync(file)).toThrow();
    expect(readFileSync(marks, 'utf8')).toBe("first\nsecond it's \\; $1\n");
    expect(existsSync(file)).toBe(true);

    const passing = guardScript(meta, [{ argv: ['true'] }], file);
    writeFileSync(file, passing, { mode: 0o700 });
    execFileSync(file);
    expect(existsSync(file)).toBe(false);
  });
});

describe('arm, disarm and revert commands', () => {
  it('write the script 0700 and hand systemd-run only the file to run: no shell text for systemd to re-parse', () => {
    const bin = path.join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    const seen = path.join(root, 'systemd-run.args');
    writeFileSync(path.join(bin, 'systemd-run'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${seen}\n`);
    chmodSync(path.join(bin, 'systemd-run'), 0o755);
    const project = path.join(root, 'proj');
    const { unit, path: file } = guardFiles(project, 'harden.ssh.config');
    const script = guardScript({ step: 'harden.ssh.config', runId: 'r', seconds: 180, prove: 'current' }, [{ argv: ['true'] }], file);
    const arm = armCommand(project, unit, 180, file, script);
    execFileSync(arm.argv[0]!, arm.argv.slice(1), { input: arm.stdin as string, env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` } });
    expect(readFileSync(file, 'utf8')).toBe(script);
    expect(statSync(file).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(seen, 'utf8').split('\n')).toEqual(['--quiet', '--collect', '--on-active=180', `--unit=${unit}`, '--description=homelab-wizard: revert an unproven change', '--', file, '']);
  });

  it('disarm stops the timer before removing the script; a revert stops it only after the script passed', () => {
    expect(disarmCommand('u', '/p/guards/s.sh').argv).toEqual(['sh', '-c', 'systemctl stop -- "$1.timer" && rm -f -- "$2"', 'homelab-wizard', 'u', '/p/guards/s.sh']);
    expect(revertNowCommand('u', '/p/guards/s.sh').argv).toEqual(['sh', '-c', 'timeout "$3" "$2" || exit "$?"; systemctl stop -- "$1.timer" 2>/dev/null; exit 0', 'homelab-wizard', 'u', '/p/guards/s.sh', '120']);
  });
});

describe('decideGuard(): what a later run does with a guard it finds', () => {
  const meta: GuardMeta = { step: 'harden.ssh.config', runId: 'r', seconds: 180, prove: { port: 2222, user: 'deploy' }, keepIf: ['sshd', '-t'] };
  const ok = { ok: true as const, target: 'deploy@203.0.113.7:2222' };
  const failed = { ok: false as const, target: 'deploy@203.0.113.7:2222', reason: 'connection refused' };

  it('disarms only when a new login as the step proves it succeeds and the keep check passes', () => {
    expect(decideGuard(meta, ok, { ok: true })).toEqual({ action: 'disarm', reason: 'deploy@203.0.113.7:2222 logged in from a new connection and sshd -t passed' });
    expect(decideGuard({ ...meta, keepIf: undefined as never }, ok, undefined)).toEqual({ action: 'disarm', reason: 'deploy@203.0.113.7:2222 logged in from a new connection' });
  });

  it('reverts on anything less', () => {
    expect(decideGuard(meta, ok, { ok: false })).toEqual({ action: 'revert', reason: 'deploy@203.0.113.7:2222 logged in, but sshd -t failed' });
    expect(decideGuard(meta, ok, undefined).action).toBe('revert');
    expect(decideGuard(meta, failed, undefined)).toEqual({ action: 'revert', reason: 'a new connection as deploy@203.0.113.7:2222 failed (connection refused)' });
    expect(decideGuard(meta, undefined, undefined)).toEqual({ action: 'revert', reason: 'this run cannot open a second connection to prove access' });
    expect(decideGuard(undefined, ok, { ok: true })).toEqual({ action: 'revert', reason: 'its script does not say which step or login it guards' });
  });

  it('describes a found guard by what its timer is doing', () => {
    const found: GuardFacts = { unit: 'homelab-wizard-guard-demo-harden-ssh-config', path: '/p', meta, timer: 'active', service: 'inactive', age: 40 };
    expect(guardFoundText(found)).toBe('guard of harden.ssh.config armed by run r: its timer reverts the step in about 140 s');
    expect(guardFoundText({ ...found, service: 'activating' })).toBe('guard of harden.ssh.config armed by run r: its timer is reverting the step now');
    expect(guardFoundText({ ...found, timer: 'inactive' })).toBe('guard of harden.ssh.config armed by run r: its timer is gone (reboot or killed run), its revert script is still there');
    const { meta: _m, ...unreadable } = found;
    expect(guardFoundText(unreadable)).toBe('guard homelab-wizard-guard-demo-harden-ssh-config (unreadable script): its timer reverts the step');
  });
});

describe('the probe finds the guards of its project', () => {
  it('reports each script with its header, its units and its age, in the read-only probe and under the lock', () => {
    const project = path.join(root, 'probed');
    const { path: file } = guardFiles(project, 'harden.firewall.rules');
    mkdirSync(path.dirname(file), { recursive: true });
    const meta = guardMeta(ufwStep, 'killed-run');
    writeFileSync(file, guardScript(meta, ufwStep.guard!.revert, file), { mode: 0o700 });
    writeFileSync(path.join(path.dirname(file), 'notes.txt'), 'not a guard');
    const request: ProbeRequest = { project, steps: [] };
    for (const script of [probeScript(request), lockAndProbeScript(request, { info: { runId: 'r2', owner: 'ada', operatorHost: 'laptop', pid: 1, startedAt: '2026-01-01T00:00:00Z', command: 'apply' } })]) {
      const stdout = execFileSync('sh', ['-s'], { input: script, encoding: 'utf8' });
      const { report } = parseProbeOutput('box', request, stdout, '');
      expect(report?.guards).toHaveLength(1);
      const [guard] = report!.guards!;
      // No systemd here: the units read as not active, which is what a reboot leaves.
      expect(guard).toMatchObject({ unit: 'homelab-wizard-guard-probed-harden-firewall-rules', path: file, meta });
      expect(guard!.timer).not.toBe('active');
      expect(guard!.age).toBeGreaterThanOrEqual(0);
      expect(guard!.age).toBeLessThan(60);
    }
    rmSync(path.dirname(file), { recursive: true });
    const none = parseProbeOutput('box', request, execFileSync('sh', ['-s'], { input: probeScript(request), encoding: 'utf8' }), '');
    expect(none.report?.guards).toBeUndefined();
  });
});
