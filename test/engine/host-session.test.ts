import { failure } from '../helpers/failure.js';
import { describe, expect, it } from 'vitest';
import { LockHeldError } from '../../src/engine/errors.js';
import type { RunEvent } from '../../src/engine/events.js';
import { abandonHost, beginHost, runHost, type SessionContext } from '../../src/engine/host-session.js';
import type { LockInfo } from '../../src/plan/host-state.js';
import { directoryStep } from '../../src/steps/directory.js';
import { FakeHost } from '../fakes/fake-host.js';

const PROJECT = '/opt/homelab/t';
const steps = [directoryStep({ id: 'deploy.t.a', describe: 'a', host: 'fake', path: `${PROJECT}/a`, mode: '0755', owner: 'root', group: 'root' })];
const other: LockInfo = { runId: 'other-run', owner: 'grace', operatorHost: 'desk.example.com', pid: 77, startedAt: '2026-01-01T09:00:00.000Z', command: 'apply --only deploy' };

function ctx(runId: string, events: RunEvent[], onLockHeld: SessionContext['onLockHeld'] = async () => ({ refuse: true })): SessionContext {
  return {
    runId,
    project: PROJECT,
    lockInfo: { runId, owner: 'ada', operatorHost: 'laptop.example.com', pid: 4242, startedAt: '2026-01-01T10:00:00.000Z', command: 'apply' },
    emit: (e) => events.push(e),
    redact: (t) => t,
    now: () => new Date('2026-01-01T10:05:00.000Z'),
    audit: { who: 'ada@laptop.example.com', command: 'apply', profile: 'home' },
    onLockHeld,
  };
}

describe('host sessions: lock, audit, release', () => {
  it('refuses a host locked by another run, saying who and since when', async () => {
    const fake = new FakeHost();
    fake.lock = other;
    const error = await failure(beginHost(fake.runner(), steps, ctx('mine', [])));
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toBe('fake: locked by grace@desk.example.com (pid 77, `apply --only deploy`) since 2026-01-01T09:00:00.000Z');
    expect((error as LockHeldError).hint).toMatch(/--break-lock/);
    expect(fake.lock).toBe(other);
  });

  it('says a run is in progress when the flow knows its process runs, and does not suggest breaking its lock', async () => {
    const fake = new FakeHost();
    fake.lock = other;
    const error = await failure(beginHost(fake.runner(), steps, ctx('mine', [], async () => ({ refuse: true, inProgress: true }))));
    expect((error as Error).message).toBe('fake: another run is in progress: grace@desk.example.com (pid 77, `apply --only deploy`) since 2026-01-01T09:00:00.000Z');
    expect((error as LockHeldError).hint).not.toMatch(/break-lock/);
    expect(fake.lock).toBe(other);
  });

  it('shows a staleness note when the flow has one', async () => {
    const fake = new FakeHost();
    fake.lock = other;
    const error = await failure(beginHost(fake.runner(), steps, ctx('mine', [], async () => ({ refuse: true, stale: 'it is stale: its process (pid 77) no longer runs on this machine' }))));
    expect((error as Error).message).toMatch(/; it is stale: its process \(pid 77\)/);
  });

  it('takes over a lock when the flow decides so, and records whose lock it broke', async () => {
    const fake = new FakeHost();
    fake.lock = other;
    const events: RunEvent[] = [];
    const c = ctx('mine', events, async (_h, holder) => ({ takeOver: 'runId' in holder ? holder.runId : '', note: 'test' }));
    const session = await beginHost(fake.runner(), steps, c);
    expect(fake.lock?.runId).toBe('mine');
    await runHost(session, c, { allowDestroy: false, signal: new AbortController().signal });
    expect(fake.lock).toBeUndefined();
    expect(fake.audit[0]).toMatchObject({ runId: 'mine', result: 'ok', changed: 1, brokeLock: 'grace@desk.example.com pid 77 run other-run since 2026-01-01T09:00:00.000Z' });
    expect(events.map((e) => e.type)).toEqual(['host-locked', 'host-plan', 'step-start', 'command', 'step-done', 'host-done']);
  });

  it('audits and releases a host that is abandoned before it runs', async () => {
    const fake = new FakeHost();
    const c = ctx('mine', []);
    const session = await beginHost(fake.runner(), steps, c);
    expect(fake.lock?.runId).toBe('mine');
    expect(await abandonHost(session, c)).toMatchObject({ result: 'aborted', changed: 0 });
    expect(fake.lock).toBeUndefined();
    expect(fake.audit[0]).toMatchObject({ result: 'aborted', at: '2026-01-01T10:05:00.000Z', who: 'ada@laptop.example.com' });
  });

  it('reports a failed release as a warning, not as a failed run', async () => {
    const fake = new FakeHost();
    const c = ctx('mine', []);
    const runner = fake.runner();
    const session = await beginHost(runner, steps, c);
    runner.finish = async () => {
      throw new Error('connection reset');
    };
    const outcome = await runHost(session, c, { allowDestroy: false, signal: new AbortController().signal });
    expect(outcome.result).toBe('ok');
    expect(outcome.warning).toMatch(/could not write the audit line or release the lock on fake: connection reset/);
  });
});
