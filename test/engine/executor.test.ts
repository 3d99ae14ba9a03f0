import { describe, expect, it } from 'vitest';
import type { GuardReport } from '../../src/engine/access.js';
import { AccessProofError, DestructiveRefusedError, NotConvergedError, PreconditionError, StepFailedError } from '../../src/engine/errors.js';
import { guardLines } from '../../src/run/apply-report.js';
import type { RunEvent } from '../../src/engine/events.js';
import { executeSteps, type ExecuteOptions } from '../../src/engine/executor.js';
import { planHost } from '../../src/engine/planner.js';
import { Secret } from '../../src/lib/secret.js';
import type { Step } from '../../src/plan/step.js';
import { directoryStep } from '../../src/steps/directory.js';
import { FakeHost } from '../fakes/fake-host.js';

const PROJECT = '/opt/homelab/t';

function options(events: RunEvent[], over: Partial<ExecuteOptions> = {}): ExecuteOptions {
  return { project: PROJECT, allowDestroy: false, signal: new AbortController().signal, emit: (e) => events.push(e), redact: (t) => t, ...over };
}

const dir = (name: string): Step => directoryStep({ id: `deploy.t.${name}`, describe: name, host: 'fake', path: `${PROJECT}/${name}`, mode: '0750', owner: 'root', group: 'root' });
const file = (name: string, content: string | Secret): Step => ({ id: `deploy.t.${name}`, describe: name, host: 'fake', check: null, files: [{ path: `${PROJECT}/${name}`, mode: '0600', owner: 'root:root', content }], apply: [], risk: 'safe' });

/** A step driven by a rule: `argv[0] === name`; its check passes once `state` holds `name`. */
function ruled(fake: FakeHost, name: string, behaviour: { exit?: number; stderr?: string; converges?: boolean; risk?: Step['risk']; verifyExit?: number } = {}): Step {
  const state = new Set<string>();
  fake.rules.push({ match: (argv) => argv[0] === `check-${name}`, run: () => ({ code: state.has(name) ? 0 : 1, stdout: '', stderr: '' }) });
  fake.rules.push({
    match: (argv) => argv[0] === `do-${name}`,
    run: () => {
      if ((behaviour.exit ?? 0) === 0 && behaviour.converges !== false) state.add(name);
      return { code: behaviour.exit ?? 0, stdout: `did ${name}\n`, stderr: behaviour.stderr ?? '' };
    },
  });
  fake.rules.push({ match: (argv) => argv[0] === `verify-${name}`, run: () => ({ code: behaviour.verifyExit ?? 0, stdout: '', stderr: 'verify said no\n' }) });
  return { id: `deploy.t.${name}`, describe: name, host: 'fake', check: { argv: [`check-${name}`] }, apply: [{ argv: [`do-${name}`, '--now'] }], verify: { argv: [`verify-${name}`] }, risk: behaviour.risk ?? 'safe' };
}

async function run(fake: FakeHost, steps: Step[], over: Partial<ExecuteOptions> = {}) {
  fake.mkdirs(PROJECT);
  const runner = fake.runner();
  const plan = await planHost(runner, steps, PROJECT);
  const events: RunEvent[] = [];
  const outcome = await executeSteps(runner, steps, plan, options(events, over));
  return { plan, outcome, events, done: events.filter((e) => e.type === 'step-done') };
}

describe('executeSteps()', () => {
  it('turns a progress line of a running step (what it waits for) into a step-progress event, other lines stay output', async () => {
    const fake = new FakeHost();
    const step = ruled(fake, 'pkgs');
    fake.rules.unshift({ match: (argv) => argv[0] === 'do-pkgs', run: () => ({ code: 0, stdout: `hlw-progress: waiting for the dpkg lock held by process 42 (apt-get): 0/300 s\nplain line\n`, stderr: '' }) });
    fake.rules.unshift({ match: (argv) => argv[0] === 'check-pkgs', run: () => ({ code: fake.changes.some((c) => c.startsWith('do-pkgs')) ? 0 : 1, stdout: '', stderr: '' }) });
    const { events } = await run(fake, [step]);
    expect(events.filter((e) => e.type === 'step-progress' || (e.type === 'step-output' && e.stream === 'stdout'))).toEqual([
      { type: 'step-progress', host: 'fake', step: 'deploy.t.pkgs', message: 'waiting for the dpkg lock held by process 42 (apt-get): 0/300 s' },
      { type: 'step-output', host: 'fake', step: 'deploy.t.pkgs', stream: 'stdout', line: 'plain line' },
    ]);
  });

  it('applies what the plan found changed and leaves converged steps alone', async () => {
    const fake = new FakeHost();
    fake.mkdirs(`${PROJECT}/a`, 0o750);
    const { outcome, done } = await run(fake, [dir('a'), dir('b'), file('c', 'hello\n')]);
    expect(outcome).toEqual({ result: 'ok', changed: 2, unchanged: 1 });
    expect(done.map((e) => (e.type === 'step-done' ? e.result : ''))).toEqual(['unchanged', 'changed', 'changed']);
    expect(fake.changes).toEqual([`install -d -m 0750 -o root -g root -- ${PROJECT}/b`, `upload ${PROJECT}/c 0600 root:root`]);
  });

  it('costs one probe to plan and one per changed step, whatever the number of converged steps', async () => {
    const fake = new FakeHost();
    for (const n of ['a', 'b', 'c', 'd']) fake.mkdirs(`${PROJECT}/${n}`, 0o750);
    const { outcome } = await run(fake, [dir('a'), dir('b'), dir('c'), dir('d'), dir('e')]);
    expect(outcome.changed).toBe(1);
    expect(fake.probes).toBe(2);
  });

  it('judges later steps on fresh facts after an earlier step changed them', async () => {
    const fake = new FakeHost();
    // Applying 'first' also creates what 'second' wants: the planned change of 'second' must turn into "unchanged".
    fake.rules.push({ match: (argv) => argv[0] === 'make-both', run: (host) => (host.mkdirs(`${PROJECT}/x`, 0o750), host.mkdirs(`${PROJECT}/y`, 0o750), { code: 0, stdout: '', stderr: '' }) });
    const first: Step = { ...dir('x'), apply: [{ argv: ['make-both'] }] };
    const { outcome, done, plan } = await run(fake, [first, dir('y')]);
    expect(plan.steps.map((s) => s.action)).toEqual(['+', '+']);
    expect(outcome).toMatchObject({ changed: 1, unchanged: 1 });
    expect(done.at(-1)).toMatchObject({ step: 'deploy.t.y', result: 'unchanged' });
  });

  it('stops at a failing command with its redacted line, exit code and the last 20 stderr lines', async () => {
    const fake = new FakeHost();
    const stderr = Array.from({ length: 30 }, (_, i) => `err ${i + 1}`).join('\n');
    const steps = [ruled(fake, 'one', { exit: 3, stderr }), ruled(fake, 'two')];
    const { outcome, done } = await run(fake, steps);
    expect(outcome).toMatchObject({ result: 'failed', failedStep: 'deploy.t.one', changed: 0 });
    expect(outcome.error).toBeInstanceOf(StepFailedError);
    const failed = done[0];
    expect(failed).toMatchObject({ type: 'step-done', result: 'failed', error: { code: 'step-failed', stage: 'apply', command: 'do-one --now', exitCode: 3 } });
    if (failed?.type === 'step-done') expect(failed.error?.stderrTail).toEqual(Array.from({ length: 20 }, (_, i) => `err ${i + 11}`));
    expect(done[1]).toMatchObject({ step: 'deploy.t.two', result: 'not-run', reason: 'deploy.t.one failed' });
  });

  it('calls a step that applied cleanly but is still not converged an error', async () => {
    const fake = new FakeHost();
    const { outcome } = await run(fake, [ruled(fake, 'flaky', { converges: false })]);
    expect(outcome.error).toBeInstanceOf(NotConvergedError);
    expect((outcome.error as Error).message).toBe('fake: step deploy.t.flaky ran without error but is still not converged: not as the profile says yet (its check exited 1)');
  });

  it('fails a step whose verify fails after it converged', async () => {
    const fake = new FakeHost();
    const { outcome, done } = await run(fake, [ruled(fake, 'v', { verifyExit: 1 })]);
    expect(outcome.result).toBe('failed');
    expect(done[0]).toMatchObject({ error: { stage: 'verify', command: 'verify-v', stderrTail: ['verify said no'] } });
  });

  it('refuses a destructive step without allowDestroy, and runs it with', async () => {
    const fake = new FakeHost();
    const refused = await run(fake, [ruled(fake, 'wipe', { risk: 'destructive' })]);
    expect(refused.outcome.error).toBeInstanceOf(DestructiveRefusedError);
    expect(fake.changes).toEqual([]);
    const allowed = await run(fake, [ruled(fake, 'wipe2', { risk: 'destructive' })], { allowDestroy: true });
    expect(allowed.outcome.result).toBe('ok');
  });

  it('stops at the next step boundary when aborted', async () => {
    const fake = new FakeHost();
    const controller = new AbortController();
    fake.rules.push({ match: (argv) => argv[0] === 'stop-now', run: (host) => (controller.abort(), host.mkdirs(`${PROJECT}/s`, 0o750), { code: 0, stdout: '', stderr: '' }) });
    const { outcome, done } = await run(fake, [{ ...dir('s'), apply: [{ argv: ['stop-now'] }] }, dir('t')], { signal: controller.signal });
    expect(outcome).toMatchObject({ result: 'aborted', changed: 1 });
    expect(done.at(-1)).toMatchObject({ step: 'deploy.t.t', result: 'not-run', reason: 'the run was stopped' });
  });

  it('keeps secrets out of every event: commands, output lines and errors', async () => {
    const fake = new FakeHost();
    const secret = Secret.of('s3cr3t-token-value');
    fake.rules.push({ match: (argv) => argv[0] === 'login', run: (_h, cmd) => ({ code: 1, stdout: `token is ${String((cmd.stdin as Secret).reveal())}\n`, stderr: `bad token ${(cmd.stdin as Secret).reveal()}\n` }) });
    const steps: Step[] = [file('env', secret), { id: 'deploy.t.login', describe: 'login', host: 'fake', check: { argv: ['false-check'] }, apply: [{ argv: ['login', '--password-stdin'], stdin: secret }], risk: 'safe' }];
    fake.rules.push({ match: (argv) => argv[0] === 'false-check', run: () => ({ code: 1, stdout: '', stderr: '' }) });
    const { events } = await run(fake, steps, { redact: (t) => t.split(secret.reveal()).join('[redacted]') });
    const json = events.map((e) => JSON.stringify(e)).join('\n');
    expect(json).not.toContain('s3cr3t-token-value');
    expect(json).toContain('login --password-stdin < [stdin: secret]');
    expect(json).toContain('bad token [redacted]');
    expect(fake.nodes.get(`${PROJECT}/env`)?.content).toBe('s3cr3t-token-value');
  });
});

describe('executeSteps() with guards and access proofs', () => {
  /** A guarded step driven by rules; its revert is the guard's script, which the fake host runs through `revertScript`. */
  function guarded(fake: FakeHost, name: string, behaviour: { exit?: number; prove?: Step['prove'] } = {}): Step {
    const base = ruled(fake, name, { ...(behaviour.exit !== undefined ? { exit: behaviour.exit } : {}) });
    return { ...base, verify: undefined as never, guard: { seconds: 90, revert: [{ argv: [`undo-${name}`, '--all'] }] }, prove: behaviour.prove ?? { port: 2222, user: 'deploy' } } as Step;
  }
  const UNIT = 'homelab-wizard-guard-t-deploy-t-move';
  const SCRIPT = `${PROJECT}/guards/deploy-t-move.sh`;
  const ARM = `guard-arm.sh ${PROJECT}/guards ${SCRIPT} 90 ${UNIT}`;

  it('arms the timer on a script file before the change, proves access from a new connection, then disarms and removes the file', async () => {
    const fake = new FakeHost();
    const proofs: unknown[] = [];
    const proveAccess = async (host: string, login: unknown) => (proofs.push([host, login]), { ok: true as const, target: 'deploy@fake:2222' });
    const { outcome, events } = await run(fake, [guarded(fake, 'move')], { proveAccess, runId: '20260101T000000Z-abc123' });
    expect(outcome).toMatchObject({ result: 'ok', changed: 1 });
    expect(fake.changes[0]).toMatch(/^guard-arm\.sh .* < \[stdin: \d+ bytes\]$/);
    expect(fake.changes).toEqual([
      `${ARM} < [stdin: ${fake.changes[0]?.match(/(\d+) bytes/)?.[1]} bytes]`,
      'do-move --now',
      `guard-disarm.sh ${UNIT} ${SCRIPT}`,
    ]);
    expect(fake.armed).toEqual([UNIT]);
    expect(proofs).toEqual([['fake', { port: 2222, user: 'deploy' }]]);
    expect(fake.timers.size).toBe(0);
    expect(fake.nodes.has(SCRIPT)).toBe(false);
    expect(events.filter((e) => e.type === 'guard').map((e) => (e.type === 'guard' ? e.action : ''))).toEqual(['armed', 'disarmed']);
  });

  it('names the guard after the project and the step, not the run: two runs arm the same unit and file', async () => {
    const fake = new FakeHost();
    fake.rules.unshift({ match: (argv) => argv[0] === 'do-move', run: () => ({ code: 0, stdout: '', stderr: '' }) });
    const proveAccess = async () => ({ ok: true as const, target: 'deploy@fake:2222' });
    await run(fake, [guarded(fake, 'move')], { proveAccess, runId: 'r-one' });
    await run(fake, [guarded(fake, 'move')], { proveAccess, runId: 'r-two' });
    expect(fake.armed).toEqual([UNIT, UNIT]);
  });

  it('on a failed proof reverts at once, stops the timer, proves the old login and reports all of it', async () => {
    const fake = new FakeHost();
    const proveAccess = async (_host: string, login: unknown) =>
      login === 'current' ? { ok: true as const, target: 'root@fake:22' } : { ok: false as const, target: 'deploy@fake:2222', reason: 'timed out while connecting' };
    const steps = [guarded(fake, 'move'), ruled(fake, 'later')];
    const { outcome, done } = await run(fake, steps, { proveAccess, runId: 'r1' });
    expect(outcome).toMatchObject({ result: 'failed', failedStep: 'deploy.t.move' });
    expect(outcome.error).toBeInstanceOf(AccessProofError);
    expect((outcome.error as Error).message).toBe('fake: step deploy.t.move: a new SSH connection as deploy@fake:2222 failed (timed out while connecting), so the change was reverted');
    expect(fake.changes.slice(1)).toEqual(['do-move --now', `guard-revert-now.sh ${UNIT} ${SCRIPT} 120`]);
    expect(fake.timers.size).toBe(0);
    expect(fake.nodes.has(SCRIPT)).toBe(false);
    const failed = done[0];
    expect(failed?.type === 'step-done' && failed.error?.guard).toEqual({
      reverted: ['undo-move --all'],
      revertOk: true,
      unit: UNIT,
      seconds: 90,
      access: { ok: true, target: 'root@fake:22' },
    });
    expect(done.map((e) => (e.type === 'step-done' ? e.result : ''))).toEqual(['failed', 'not-run']);
    expect(guardLines((failed as { error: { guard: GuardReport } }).error.guard)).toEqual([
      '    reverted:  undo-move --all',
      '    access:    still reachable as root@fake:22 (proven by a new connection)',
    ]);
  });

  it('reverts a guarded step whose own command fails, without a proof of the new login', async () => {
    const fake = new FakeHost();
    const logins: unknown[] = [];
    const proveAccess = async (_host: string, login: unknown) => (logins.push(login), { ok: true as const, target: 'root@fake:22' });
    const { outcome } = await run(fake, [guarded(fake, 'move', { exit: 4 })], { proveAccess, runId: 'r2' });
    expect(outcome.error).toBeInstanceOf(StepFailedError);
    expect(fake.changes.at(-1)).toMatch(/^guard-revert-now\.sh homelab-wizard-guard-t-deploy-t-move .* 120$/);
    expect(fake.nodes.has(SCRIPT)).toBe(false);
    expect(logins).toEqual(['current']);
  });

  it('leaves the timer armed when the revert cannot run here, and says so', async () => {
    const fake = new FakeHost();
    fake.revertScript = () => ({ code: 1, stdout: '', stderr: 'connection lost\n' });
    const proveAccess = async (_host: string, login: unknown) => (login === 'current' ? { ok: false as const, target: 'root@fake:22', reason: 'connection refused' } : { ok: false as const, target: 'deploy@fake:2222', reason: 'connection refused' });
    const { done } = await run(fake, [guarded(fake, 'move')], { proveAccess, runId: 'r3' });
    const guard = (done[0] as { error: { guard: GuardReport } }).error.guard;
    expect(guard.revertOk).toBe(false);
    expect(fake.timers.size).toBe(1);
    expect(fake.nodes.has(SCRIPT)).toBe(true);
    expect(guardLines(guard)).toEqual([
      `    NOT reverted from here (the connection failed): the timer ${UNIT}.timer on the host runs`,
      "               undo-move --all within 90 s of the step's start",
      '    access:    a new connection as deploy@fake:2222 failed too (connection refused); wait 90 s for the timer, then try again',
    ]);
  });

  it('after a failed step whose revert reopened the old port, reports the login that still works, not the root login sshd already refuses', async () => {
    const fake = new FakeHost();
    // close-old-ssh-port: root on 22 was turned off by an earlier step; the admin on 2222 works.
    let closed = false;
    const proveAccess = async (_host: string, login: unknown) =>
      login === 'current' ? { ok: false as const, target: 'root@fake:22', reason: 'root login refused' } : closed ? { ok: true as const, target: 'deploy@fake:2222' } : (closed = true, { ok: false as const, target: 'deploy@fake:2222', reason: 'timed out while connecting' });
    const { done } = await run(fake, [guarded(fake, 'close')], { proveAccess, runId: 'r5' });
    const guard = (done[0] as { error: { guard: GuardReport } }).error.guard;
    expect(guard.access).toEqual({ ok: true, target: 'deploy@fake:2222' });
    expect(guardLines(guard)).toContain('    access:    still reachable as deploy@fake:2222 (proven by a new connection)');
  });

  it('refuses a step whose precondition login fails, before arming or changing anything, with the step\'s hint', async () => {
    const fake = new FakeHost();
    const logins: unknown[] = [];
    const vpn = { port: 2222, user: 'deploy', network: 'vpn' as const };
    const proveAccess = async (_host: string, login: unknown) => (logins.push(login), { ok: false as const, target: 'deploy@(VPN address):2222', reason: 'the host has no VPN address yet' });
    const step: Step = { ...guarded(fake, 'restrict', { prove: vpn }), precondition: { prove: vpn, hint: 'join the tailnet first' } };
    const { outcome, done } = await run(fake, [step], { proveAccess, runId: 'r6' });
    expect(outcome).toMatchObject({ result: 'failed', failedStep: 'deploy.t.restrict' });
    expect(outcome.error).toBeInstanceOf(PreconditionError);
    expect((outcome.error as PreconditionError).hint).toBe('join the tailnet first');
    expect((outcome.error as Error).message).toMatch(/refused: it needs a working login as deploy@\(VPN address\):2222 first.*nothing was changed/);
    expect(fake.changes).toEqual([]);
    expect(logins).toEqual([vpn]);
    expect(done[0]?.type === 'step-done' && done[0].error?.hint).toBe('join the tailnet first');
  });

  it('runs a step whose precondition login works, and proves again after the change', async () => {
    const fake = new FakeHost();
    const logins: unknown[] = [];
    const vpn = { port: 2222, user: 'deploy', network: 'vpn' as const };
    const proveAccess = async (_host: string, login: unknown) => (logins.push(login), { ok: true as const, target: 'deploy@100.64.0.7:2222' });
    const step: Step = { ...guarded(fake, 'restrict', { prove: vpn }), precondition: { prove: vpn, hint: 'h' } };
    const { outcome } = await run(fake, [step], { proveAccess, runId: 'r7' });
    expect(outcome).toMatchObject({ result: 'ok', changed: 1 });
    expect(logins).toEqual([vpn, vpn]);
    expect(fake.changes[0]).toMatch(/^guard-arm\.sh /);
  });

  it('never skips a proof: a step that must prove access fails when the run cannot open a second connection', async () => {
    const fake = new FakeHost();
    const { outcome } = await run(fake, [guarded(fake, 'move')], { runId: 'r4' });
    expect(outcome).toMatchObject({ result: 'failed' });
    expect(fake.changes).toEqual([]);
  });

  it('neither arms nor proves a step that is already converged, and planning runs nothing', async () => {
    const fake = new FakeHost();
    const step = guarded(fake, 'move');
    fake.rules.unshift({ match: (argv) => argv[0] === 'check-move', run: () => ({ code: 0, stdout: '', stderr: '' }) });
    let proofs = 0;
    const { outcome } = await run(fake, [step], { proveAccess: async () => (proofs++, { ok: true as const, target: 'x' }) });
    expect(outcome).toMatchObject({ result: 'no-changes', unchanged: 1 });
    expect(fake.changes).toEqual([]);
    expect(proofs).toBe(0);
  });
});
