import { describe, expect, it } from 'vitest';
import type { ProveAccess } from '../../src/engine/access.js';
import type { RunEvent } from '../../src/engine/events.js';
import { armCommand, guardFiles, guardMeta, guardScript } from '../../src/engine/guards.js';
import { beginHost, runHost, type SessionContext } from '../../src/engine/host-session.js';
import { planHost } from '../../src/engine/planner.js';
import type { LockInfo } from '../../src/plan/host-state.js';
import type { Step } from '../../src/plan/step.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { guardEventLine } from '../../src/run/apply-report.js';
import { WizardError } from '../../src/errors.js';
import { failure } from '../helpers/failure.js';
import { FakeHost } from '../fakes/fake-host.js';

/**
 * A run that starts on a host where another run (killed, or whose lock was broken) left guards
 * armed: every guard is shown and resolved before anything else, and the plan starts from what is
 * there after. `plan` only shows them.
 */
const PROJECT = '/opt/homelab/t';
const killed: LockInfo = { runId: 'killed-run', owner: 'ada', operatorHost: 'laptop.example.com', pid: 99, startedAt: '2026-01-01T09:00:00.000Z', command: 'apply' };

const sshConfig: Step = {
  id: 'harden.ssh.config',
  describe: 'sshd',
  host: 'fake',
  check: { argv: ['check-sshd'] },
  apply: [{ argv: ['apply-sshd'] }],
  guard: { seconds: 180, revert: [{ argv: ['revert-sshd'] }], keepIf: { argv: ['sshd', '-t'] } },
  prove: { port: 2222, user: 'deploy' },
  risk: 'disruptive',
};
const firewall: Step = { ...sshConfig, id: 'harden.firewall.rules', check: { argv: ['check-ufw'] }, apply: [{ argv: ['apply-ufw'] }], guard: { seconds: 180, revert: [{ argv: ['ufw', '--force', 'disable'] }] }, prove: 'current' };

interface World {
  fake: FakeHost;
  sshdOk: boolean;
  ufwOn: boolean;
}

/** A host where the killed run armed `steps`' guards; the steps' checks read the world. */
function world(steps: readonly Step[]): World {
  const fake = new FakeHost();
  const w: World = { fake, sshdOk: true, ufwOn: true };
  const ok = { code: 0, stdout: '', stderr: '' };
  fake.rules.push({ match: (a) => a[0] === 'sshd' && a[1] === '-t', run: () => (w.sshdOk ? ok : { code: 255, stdout: '', stderr: 'bad config' }) });
  fake.rules.push({ match: (a) => a[0] === 'check-sshd', run: () => ok });
  fake.rules.push({ match: (a) => a[0] === 'check-ufw', run: () => (w.ufwOn ? ok : { code: 1, stdout: '', stderr: '' }) });
  fake.rules.push({ match: (a) => a[0] === 'apply-ufw', run: () => ((w.ufwOn = true), ok) });
  fake.revertScript = (path) => {
    if (path.endsWith('harden-firewall-rules.sh')) w.ufwOn = false;
    return ok;
  };
  fake.mkdirs(PROJECT);
  fake.lock = killed;
  for (const step of steps) {
    const files = guardFiles(PROJECT, step.id);
    fake.evaluate(armCommand(PROJECT, files.unit, 180, files.path, guardScript(guardMeta(step, 'killed-run'), step.guard!.revert, files.path)));
  }
  fake.guardAge = 30;
  return w;
}

function ctx(events: RunEvent[], proveAccess?: ProveAccess): SessionContext {
  return {
    runId: 'rerun',
    project: PROJECT,
    lockInfo: { ...killed, runId: 'rerun', pid: 100 },
    emit: (e) => events.push(e),
    redact: (t) => t,
    now: () => new Date('2026-01-01T10:05:00.000Z'),
    audit: { who: 'ada@laptop.example.com', command: 'apply', profile: 'home' },
    onLockHeld: async (_h, holder) => ({ takeOver: 'runId' in holder ? holder.runId : '', note: 'killed' }),
    ...(proveAccess ? { proveAccess } : {}),
  };
}

const proven: ProveAccess = async (_host, login) => ({ ok: true, target: login === 'current' ? 'root@fake:22' : 'deploy@fake:2222' });
const lines = (events: RunEvent[]): string[] => events.flatMap((e) => (e.type === 'guard' && e.reason !== undefined ? [guardEventLine(e)] : []));

describe('a run that takes over a killed run\'s lock resolves its guards first', () => {
  it('disarms a guard whose change is proven safe: a new login as the step proves it, and sshd -t passes', async () => {
    const w = world([firewall, sshConfig]);
    const events: RunEvent[] = [];
    const c = ctx(events, proven);
    const session = await beginHost(w.fake.runner(), [firewall, sshConfig], c);
    expect(w.fake.timers.size).toBe(0);
    expect([...w.fake.nodes.keys()].filter((p) => p.includes('/guards/') && p.endsWith('.sh'))).toEqual([]);
    expect(lines(events)).toEqual([
      'fake: found the guard of harden.firewall.rules armed by run killed-run: its timer reverts the step in about 150 s',
      'fake: guard of harden.firewall.rules disarmed: root@fake:22 logged in from a new connection',
      'fake: found the guard of harden.ssh.config armed by run killed-run: its timer reverts the step in about 150 s',
      'fake: guard of harden.ssh.config disarmed: deploy@fake:2222 logged in from a new connection and sshd -t passed',
    ]);
    // Before anything else: the guards come right after the lock, before the plan.
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['host-locked', 'guard']);
    expect(events.at(-1)?.type).toBe('host-plan');
    expect(w.ufwOn).toBe(true);
    expect(session.plan.steps.map((s) => s.action)).toEqual(['=', '=']);
    await runHost(session, c, { allowDestroy: false, signal: new AbortController().signal });
    expect(w.fake.audit[0]?.guards).toEqual([
      { step: 'harden.firewall.rules', unit: 'homelab-wizard-guard-t-harden-firewall-rules', armedBy: 'killed-run', action: 'disarmed', reason: 'root@fake:22 logged in from a new connection' },
      { step: 'harden.ssh.config', unit: 'homelab-wizard-guard-t-harden-ssh-config', armedBy: 'killed-run', action: 'disarmed', reason: 'deploy@fake:2222 logged in from a new connection and sshd -t passed' },
    ]);
  });

  it('reverts now a guard whose proof fails, then plans from the reverted state (and re-applies under its own guard)', async () => {
    const w = world([firewall]);
    const events: RunEvent[] = [];
    const refused: ProveAccess = async () => ({ ok: false, target: 'root@fake:22', reason: 'connection refused' });
    const c = ctx(events, refused);
    const probes = w.fake.probes;
    const session = await beginHost(w.fake.runner(), [firewall], c);
    expect(w.ufwOn).toBe(false);
    expect(w.fake.timers.size).toBe(0);
    expect(lines(events)[1]).toBe('fake: guard of harden.firewall.rules reverted: a new connection as root@fake:22 failed (connection refused)');
    // Probed again after the revert: the plan sees the firewall off.
    expect(w.fake.probes).toBe(probes + 2);
    expect(session.plan.steps[0]?.action).not.toBe('=');
  });

  it('reverts an sshd guard when the login works but sshd -t fails', async () => {
    const w = world([sshConfig]);
    w.sshdOk = false;
    const events: RunEvent[] = [];
    await beginHost(w.fake.runner(), [sshConfig], ctx(events, proven));
    expect(lines(events)[1]).toBe('fake: guard of harden.ssh.config reverted: deploy@fake:2222 logged in, but sshd -t failed');
    expect(w.fake.changes.some((c) => c.startsWith('guard-revert-now.sh ') && c.endsWith(' 120'))).toBe(true);
  });

  it('forgets a proven guard whose timer is gone (a reboot), waits for one whose timer is reverting right now', async () => {
    const w = world([firewall, sshConfig]);
    w.fake.timers.clear();
    w.fake.reverting.add('homelab-wizard-guard-t-harden-firewall-rules');
    const events: RunEvent[] = [];
    await beginHost(w.fake.runner(), [firewall, sshConfig], ctx(events, proven));
    expect(lines(events)).toEqual([
      'fake: found the guard of harden.firewall.rules armed by run killed-run: its timer is reverting the step now',
      'fake: guard of harden.firewall.rules reverted: its timer reverted the step while this run started',
      'fake: found the guard of harden.ssh.config armed by run killed-run: its timer is gone (reboot or killed run), its revert script is still there',
      'fake: guard of harden.ssh.config disarmed: deploy@fake:2222 logged in from a new connection and sshd -t passed',
    ]);
    expect(w.fake.changes.at(-1)).toBe('rm -f -- /opt/homelab/t/guards/harden-ssh-config.sh');
  });

  it('stops the host when a revert fails: nothing else runs, the lock is released and the audit says failed', async () => {
    const w = world([firewall]);
    w.fake.revertScript = () => ({ code: 1, stdout: '', stderr: 'ufw: command failed\n' });
    const error = await failure(beginHost(w.fake.runner(), [firewall], ctx([], async () => ({ ok: false, target: 'root@fake:22', reason: 'refused' }))));
    expect(error).toBeInstanceOf(WizardError);
    expect((error as WizardError).code).toBe('guard-failed');
    expect((error as Error).message).toBe('fake: the guard of harden.firewall.rules left by an earlier run could not be reverted (a new connection as root@fake:22 failed (refused)): ufw: command failed');
    expect(w.fake.lock).toBeUndefined();
    expect(w.fake.audit[0]).toMatchObject({ runId: 'rerun', result: 'failed' });
    expect(w.fake.timers.size).toBe(1);
  });

  it('plan only shows armed guards and says the next apply resolves them', async () => {
    const w = world([firewall]);
    const changes = w.fake.changes.length;
    const plan = await planHost(w.fake.runner(), [firewall], PROJECT);
    expect(w.fake.changes.length).toBe(changes);
    expect(w.fake.timers.size).toBe(1);
    const text = renderPlanText({ format: 'homelab-wizard-plan', version: 1, profile: 'home', project: 't', phases: ['harden'], createdAt: '', hosts: [plan] });
    expect(text).toContain('  ! guard of harden.firewall.rules armed by run killed-run: its timer reverts the step in about 150 s; the next apply proves it safe and disarms it, or reverts it first');
  });
});
