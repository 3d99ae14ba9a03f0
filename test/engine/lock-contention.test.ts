import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockHeldError } from '../../src/engine/errors.js';
import type { RunEvent } from '../../src/engine/events.js';
import { beginHost, runHost, type SessionContext } from '../../src/engine/host-session.js';
import { planHost } from '../../src/engine/planner.js';
import type { Step } from '../../src/plan/step.js';
import { connect } from '../../src/ssh/connect.js';
import { loadIdentity } from '../../src/ssh/identity.js';
import { KnownHostsFile } from '../../src/ssh/known-hosts.js';
import { SshRunner } from '../../src/ssh/ssh-runner.js';
import { failure } from '../helpers/failure.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';

/** Two runs against one real host (our own sshd), each on its own connection, as two operators would. */
let sshd: TestSshd;
let root: string;
let project: string;

async function runner(): Promise<SshRunner> {
  const known = path.join(root, 'known_hosts');
  writeFileSync(known, `${sshd.knownHostsLine}\n`);
  const { ssh, endpoint } = await connect({
    host: 'box',
    candidates: [{ address: '127.0.0.1', port: sshd.port, user: 'root' }],
    identity: await loadIdentity('box', sshd.clientKey, {}),
    hostKeys: { knownHosts: new KnownHostsFile(known), unknown: { kind: 'refuse' } },
    retries: 0,
  });
  return new SshRunner('box', ssh, endpoint, { kind: 'root' });
}

function ctx(runId: string, owner: string): SessionContext {
  const events: RunEvent[] = [];
  return {
    runId,
    project,
    lockInfo: { runId, owner, operatorHost: `${owner}-laptop.example.com`, pid: 1000, startedAt: '2026-01-01T10:00:00.000Z', command: 'apply' },
    emit: (e) => events.push(e),
    redact: (t) => t,
    now: () => new Date(),
    audit: { who: owner, command: 'apply', profile: 'lab' },
    onLockHeld: async () => ({ refuse: true }),
  };
}

beforeAll(async () => {
  sshd = await startSshd();
  root = mkdtempSync(path.join(tmpdir(), 'hlw-lock-'));
  project = path.join(root, 'lab');
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('two runs contending for the lock of one host', () => {
  it('refuses the second run with who and since, and lets it in once the first is done', async () => {
    const done = path.join(root, 'slow-done');
    const slow: Step = { id: 'deploy.test.slow', describe: 'slow step', host: 'box', check: { argv: ['test', '-e', done] }, apply: [{ argv: ['sh', '-c', `sleep 1.5; touch ${done}`] }], risk: 'safe' };
    const [ada, grace] = [await runner(), await runner()];
    try {
      const first = await beginHost(ada, [slow], ctx('run-ada', 'ada'));
      const running = runHost(first, ctx('run-ada', 'ada'), { allowDestroy: false, signal: new AbortController().signal });

      const refused = await failure(beginHost(grace, [slow], ctx('run-grace', 'grace')));
      expect(refused).toBeInstanceOf(LockHeldError);
      expect(refused.message).toBe('box: locked by ada@ada-laptop.example.com (pid 1000, `apply`) since 2026-01-01T10:00:00.000Z');
      // A read-only probe sees the same lock (what `plan` and `status` show).
      expect((await planHost(grace, [slow], project)).lock).toMatchObject({ runId: 'run-ada', owner: 'ada' });

      expect(await running).toMatchObject({ result: 'ok', changed: 1 });
      expect(existsSync(path.join(project, 'lock'))).toBe(false);

      const second = await beginHost(grace, [slow], ctx('run-grace', 'grace'));
      expect(second.plan.steps[0]?.action).toBe('=');
      expect(second.plan.lastRun).toMatchObject({ runId: 'run-ada', result: 'ok' });
      expect(await runHost(second, ctx('run-grace', 'grace'), { allowDestroy: false, signal: new AbortController().signal })).toMatchObject({ result: 'no-changes' });
    } finally {
      await ada.close();
      await grace.close();
    }
  }, 30_000);
});
