import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import { beginHost, runHost, type SessionContext } from '../../src/engine/host-session.js';
import { planHost } from '../../src/engine/planner.js';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { stepPhase } from '../../src/plan/step.js';
import type { Profile } from '../../src/profile/schema.js';
import { hostLayout } from '../../src/steps/host-layout.js';
import { PHASES } from '../../src/steps/phases.js';
import { hostSteps, type StepContext } from '../../src/steps/registry.js';
import { isLateVpnStep, vpnLateSteps } from '../../src/steps/vpn/vpn-steps.js';
import type { ProveLogin } from '../../src/engine/access.js';
import { FakeServer } from '../fakes/fake-harden.js';
import { FakeHost } from '../fakes/fake-host.js';
import { validExample } from '../helpers/profiles.js';

const profile = (name: 'minimal' | 'vpai'): Profile => validExample(name);

function context(p: Profile, runId: string, events: RunEvent[], server?: FakeServer): SessionContext {
  return {
    ...(server ? { proveAccess: async (_host: string, login: ProveLogin) => server.prove(login) } : {}),
    runId,
    project: hostLayout(p).project,
    lockInfo: { runId, owner: 'test', operatorHost: 'test.example.com', pid: 1, startedAt: '2026-01-01T00:00:00.000Z', command: 'apply' },
    emit: (e) => events.push(e),
    redact: (t) => t,
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    audit: { who: 'test@test.example.com', command: 'apply', profile: p.project.name },
    onLockHeld: async () => ({ refuse: true }),
  };
}

/** Every generated secret present, as after `init`. */
const VAULT: StepContext = { secret: (key) => Secret.of(`stand-in value of ${key}`) };
/**
 * Steps that drive Docker on the host. The fake host models files, folders and plain commands, not
 * a container engine: these are proven on real sandbox servers (test/e2e/deploy.test.ts).
 */
const DOCKER_STEPS = /^deploy\.(network|stack|postgresql|grafana|n8n|qdrant|release\.(seed|current|prune))/;

describe.each(['minimal', 'vpai'] as const)('every step of the %s example', (name) => {
  const p = profile(name);

  it('has a unique dotted id in its phase, a check, folders or files, no secret in argv, and no destructive surprise', () => {
    for (const host of p.hosts) {
      const steps = hostSteps(p, host, PHASES, VAULT);
      expect(steps.length).toBeGreaterThan(0);
      const ids = steps.map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const step of steps) {
        expect(step.id).toMatch(/^[a-z]+(\.[a-z0-9-]+){2,}$/);
        expect(PHASES as readonly string[]).toContain(stepPhase(step));
        expect(step.host).toBe(host.name);
        expect(step.check !== null || (step.files?.length ?? 0) + (step.dirs?.length ?? 0) > 0, step.id).toBe(true);
        for (const command of [step.check, ...step.apply, step.verify]) for (const token of command?.argv ?? []) expect(typeof token).toBe('string');
        expect(step.risk).not.toBe('destructive');
        for (const f of step.files ?? []) if (isSecret(f.content)) expect(f.mode).toBe('0600');
      }
    }
  });

  it('converges in one apply: the second plan is all =, and a second apply changes nothing', async () => {
    for (const host of p.hosts) {
      // The vpn round's steps as apply builds them: with a pre-auth key made on the hub.
      const late = vpnLateSteps(p, host, Secret.of('0123456789abcdef0123456789abcdef0123456789abcdef'));
      const steps = hostSteps(p, host, PHASES, VAULT).filter((s) => !DOCKER_STEPS.test(s.id)).map((s) => (isLateVpnStep(s) ? (late.find((l) => l.id === s.id) as typeof s) : s));
      const fake = new FakeHost(host.name);
      const server = new FakeServer(fake, { port: host.ssh.port, user: host.ssh.user });
      const project = hostLayout(p).project;

      const first = await planHost(fake.runner(), steps, project);
      expect(fake.changes, 'planning changed the host').toEqual([]);
      // A fresh host needs every step (also the removal of the old SSH port's rule, which only exists
      // once the firewall is on), except those that keep something away it never had, and the check
      // that it runs the system the profile says (the fake server runs it).
      const absent = steps.filter((s) => s.id.endsWith('-removed') || s.id === 'harden.system.platform').map((s) => s.id);
      expect(first.steps.filter((s) => s.action === '=').map((s) => s.id)).toEqual(absent);
      const needed = steps.length - absent.length;

      const events: RunEvent[] = [];
      const session = await beginHost(fake.runner(), steps, context(p, 'run-1', events, server));
      const outcome = await runHost(session, context(p, 'run-1', events, server), { allowDestroy: false, signal: new AbortController().signal });
      expect(outcome, JSON.stringify(events.filter((e) => e.type === 'step-done' && e.result === 'failed'))).toMatchObject({ result: 'ok', changed: needed, unchanged: absent.length });
      // Every guarded step armed its timer and disarmed it after the proof.
      expect(server.armed.length).toBe(steps.filter((s) => s.guard).length);
      expect([...server.timers]).toEqual([]);
      expect(fake.lock).toBeUndefined();

      const second = await planHost(fake.runner(), steps, project);
      expect(second.steps.map((s) => `${s.action} ${s.id}`)).toEqual(steps.map((s) => `= ${s.id}`));

      const before = fake.changes.length;
      const again = await runHost(await beginHost(fake.runner(), steps, context(p, 'run-2', events, server)), context(p, 'run-2', events, server), { allowDestroy: false, signal: new AbortController().signal });
      expect(again).toMatchObject({ result: 'no-changes', changed: 0, unchanged: steps.length });
      expect(fake.changes.length).toBe(before);
      expect(fake.audit.map((a) => [a.runId, a.result, a.changed])).toEqual([
        ['run-1', 'ok', needed],
        ['run-2', 'no-changes', 0],
      ]);
    }
  });
});
