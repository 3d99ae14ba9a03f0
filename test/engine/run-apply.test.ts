import { describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import type { RunEvent } from '../../src/engine/events.js';
import type { SessionContext } from '../../src/engine/host-session.js';
import { runApply, type ApplyRunOptions, type ApplyTarget } from '../../src/engine/run-apply.js';
import type { Step } from '../../src/plan/step.js';
import { directoryStep } from '../../src/steps/directory.js';
import { FakeHost } from '../fakes/fake-host.js';
import { failure } from '../helpers/failure.js';

const PROJECT = '/opt/homelab/t';
const dirs = (host: string): Step[] => ['a', 'b'].map((n) => directoryStep({ id: `deploy.t.${n}`, describe: n, host, path: `${PROJECT}/${n}`, mode: '0755', owner: 'root', group: 'root' }));
const broken = (host: string): Step => ({ id: 'deploy.t.broken', describe: 'fails', host, check: { argv: ['check-broken'] }, apply: [{ argv: ['do-broken'] }], risk: 'safe' });

function fleet(names: string[], failing: string[] = []): { fakes: Map<string, FakeHost>; targets: ApplyTarget[]; inFlight: { now: number; max: number } } {
  const fakes = new Map<string, FakeHost>();
  const inFlight = { now: 0, max: 0 };
  const targets = names.map((name): ApplyTarget => {
    const fake = new FakeHost(name);
    fake.rules.push({ match: (argv) => argv[0] === 'check-broken', run: () => ({ code: 1, stdout: '', stderr: '' }) });
    fake.rules.push({ match: (argv) => argv[0] === 'do-broken', run: () => ({ code: 2, stdout: '', stderr: 'it broke\n' }) });
    fakes.set(name, fake);
    const steps = failing.includes(name) ? [broken(name), ...dirs(name)] : dirs(name);
    return {
      host: name,
      steps,
      runner: async () => {
        const runner = fake.runner();
        const exec = runner.exec.bind(runner);
        // Every command takes a little time, so hosts really overlap and the cap can be seen.
        runner.exec = async (command, sink) => {
          inFlight.now++;
          inFlight.max = Math.max(inFlight.max, inFlight.now);
          await new Promise((resolve) => setTimeout(resolve, 15));
          try {
            return await exec(command, sink);
          } finally {
            inFlight.now--;
          }
        };
        return runner;
      },
    };
  });
  return { fakes, targets, inFlight };
}

function options(events: RunEvent[], over: Partial<ApplyRunOptions> = {}): ApplyRunOptions {
  const ctx: SessionContext = {
    runId: 'run-1',
    project: PROJECT,
    lockInfo: { runId: 'run-1', owner: 'ada', operatorHost: 'laptop.example.com', pid: 1, startedAt: '2026-01-01T10:00:00.000Z', command: 'apply' },
    emit: (e) => events.push(e),
    redact: (t) => t,
    now: () => new Date('2026-01-01T10:00:00.000Z'),
    audit: { who: 'ada@laptop.example.com', command: 'apply', profile: 'home' },
    onLockHeld: async () => ({ refuse: true }),
  };
  return { ctx, concurrency: 5, failFast: false, allowDestroy: false, signal: new AbortController().signal, gate: async () => false, ...over };
}

const results = (fakes: Map<string, FakeHost>): Record<string, string[]> => Object.fromEntries([...fakes].map(([name, fake]) => [name, fake.audit.map((a) => a.result)]));

describe('runApply() over several hosts', () => {
  it('lets the other hosts finish when one fails', async () => {
    const { fakes, targets } = fleet(['h1', 'h2', 'h3'], ['h2']);
    const events: RunEvent[] = [];
    const result = await runApply(targets, options(events));
    expect(result.outcomes.map((o) => [o.host, o.result])).toEqual([['h1', 'ok'], ['h2', 'failed'], ['h3', 'ok']]);
    expect(results(fakes)).toEqual({ h1: ['ok'], h2: ['failed'], h3: ['ok'] });
    for (const fake of fakes.values()) expect(fake.lock).toBeUndefined();
    expect(fakes.get('h2')?.changes).toEqual(['do-broken']);
  });

  it('with failFast, stops the hosts not started yet and audits them as aborted', async () => {
    const { fakes, targets } = fleet(['h1', 'h2', 'h3'], ['h1']);
    const result = await runApply(targets, options([], { failFast: true, concurrency: 1 }));
    expect(result.outcomes.map((o) => o.result)).toEqual(['failed', 'aborted', 'aborted']);
    expect(fakes.get('h2')?.changes).toEqual([]);
    expect(results(fakes)).toEqual({ h1: ['failed'], h2: ['aborted'], h3: ['aborted'] });
  });

  it('works on at most `concurrency` hosts at once', async () => {
    const { targets, inFlight } = fleet(['h1', 'h2', 'h3', 'h4', 'h5']);
    await runApply(targets, options([], { concurrency: 2 }));
    expect(inFlight.max).toBe(2);
    const again = fleet(['h1', 'h2', 'h3', 'h4', 'h5']);
    await runApply(again.targets, options([], { concurrency: 5 }));
    expect(again.inFlight.max).toBeGreaterThan(2);
  });

  it('changes nothing and releases every lock when the gate refuses', async () => {
    const { fakes, targets } = fleet(['h1', 'h2']);
    const gateSaw: string[] = [];
    const error = await failure(runApply(targets, options([], { gate: async (sessions) => { gateSaw.push(...sessions.map((s) => `${s.runner.host}:${s.plan.steps.length}`)); throw new WizardError('plan-stale', 'stale', 'replan'); } })));
    expect(error.code).toBe('plan-stale');
    expect(gateSaw).toEqual(['h1:2', 'h2:2']);
    for (const fake of fakes.values()) {
      expect(fake.changes).toEqual([]);
      expect(fake.lock).toBeUndefined();
      expect(fake.audit.map((a) => a.result)).toEqual(['aborted']);
    }
  });

  it('reports a host it cannot reach and runs the others; with failFast nobody starts', async () => {
    const { fakes, targets } = fleet(['h1', 'h2']);
    const unreachable: ApplyTarget = { host: 'h0', steps: dirs('h0'), runner: async () => { throw new WizardError('ssh-connect', 'h0: 198.51.100.7:22 refused the SSH connection', 'check sshd'); } };
    const events: RunEvent[] = [];
    const result = await runApply([unreachable, ...targets], options(events));
    expect(result.problems).toEqual(['h0']);
    expect(events.find((e) => e.type === 'host-problem')).toEqual({ type: 'host-problem', host: 'h0', code: 'ssh-connect', message: 'h0: 198.51.100.7:22 refused the SSH connection', hint: 'check sshd' });
    expect(result.outcomes.map((o) => o.result)).toEqual(['ok', 'ok']);

    const second = fleet(['h1', 'h2']);
    const stopped = await runApply([unreachable, ...second.targets], options([], { failFast: true }));
    expect(stopped.outcomes.map((o) => o.result)).toEqual(['aborted', 'aborted']);
    expect([...second.fakes.values()].flatMap((f) => f.changes)).toEqual([]);
    expect(fakes.size).toBe(2);
  });

  it('ends the whole run on a fatal error (an aborted prompt), after releasing what it holds', async () => {
    const { fakes, targets } = fleet(['h1', 'h3']);
    const abort: ApplyTarget = { host: 'h2', steps: dirs('h2'), runner: async () => { throw new WizardError('aborted', 'aborted by the user', 'nothing was changed'); } };
    const error = await failure(runApply([targets[0] as ApplyTarget, abort, targets[1] as ApplyTarget], options([], { concurrency: 1, isFatal: (e) => e instanceof WizardError && e.code === 'aborted' })));
    expect(error.code).toBe('aborted');
    const h1 = fakes.get('h1') as FakeHost;
    expect(h1.changes).toEqual([]);
    expect(h1.lock).toBeUndefined();
    expect(h1.audit.map((a) => a.result)).toEqual(['aborted']);
    // h3 comes after the abort: it is not even connected to.
    expect(fakes.get('h3')?.probes).toBe(0);
  });
});
