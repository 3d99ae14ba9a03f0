import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/events.js';
import { createApplyView, type ViewHost } from '../../src/tasks/apply-view.js';

const hosts: ViewHost[] = [
  {
    host: 'vps',
    target: 'root@203.0.113.10:22',
    steps: [
      { id: 'deploy.layout.releases', phase: 'deploy', describe: 'Releases', action: '+' },
      { id: 'deploy.layout.data', phase: 'deploy', describe: 'Data', action: '=' },
      { id: 'smoke.http.app', phase: 'smoke', describe: 'App answers', action: '~' },
    ],
  },
  { host: 'pi', steps: [], problem: 'pi: 198.51.100.7:22 refused the SSH connection' },
];

/** Run the view with listr2's simple renderer into a buffer, feeding it the events of a run. */
async function render(events: RunEvent[], verbose = false): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const view = createApplyView(hosts, { verbose, concurrency: 2, renderer: 'simple', stream: out });
  const drawing = view.run();
  for (const event of events) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    view.publish(event);
  }
  await drawing;
  return text;
}

const ok: RunEvent[] = [
  { type: 'step-output', host: 'vps', step: 'deploy.layout.releases', stream: 'stdout', line: 'creating releases' },
  { type: 'step-done', host: 'vps', step: 'deploy.layout.releases', result: 'changed' },
  { type: 'step-done', host: 'vps', step: 'deploy.layout.data', result: 'unchanged' },
  { type: 'step-done', host: 'vps', step: 'smoke.http.app', result: 'changed' },
  { type: 'host-done', host: 'vps', result: 'ok', changed: 2, unchanged: 1 },
];

describe('the apply view (listr2 simple renderer)', () => {
  it('shows host → phase → step with each outcome, and a host that failed before its steps', async () => {
    const text = await render(ok);
    expect(text).toContain('✔ + deploy.layout.releases  Releases  [changed]');
    expect(text).toContain('✔ = deploy.layout.data  Data  [unchanged]');
    expect(text).toContain('✔ ~ smoke.http.app  App answers  [changed]');
    expect(text).toContain('✔ audit.log written, lock released');
    expect(text).toContain('✔ vps  root@203.0.113.10:22  (2 changed, 1 unchanged)');
    expect(text).toContain('✖ pi [FAILED: pi: 198.51.100.7:22 refused the SSH connection]');
    expect(text.indexOf('❯ deploy')).toBeLessThan(text.indexOf('❯ smoke'));
    expect(text).not.toContain('creating releases');
  });

  it('shows what a running step waits for, also without verbose', async () => {
    const text = await render([{ type: 'step-progress', host: 'vps', step: 'deploy.layout.releases', message: 'waiting for the dpkg lock held by process 42 (apt-get): 0/300 s' }, ...ok]);
    expect(text).toContain('waiting for the dpkg lock held by process 42 (apt-get): 0/300 s');
    expect(text).not.toContain('creating releases');
  });

  it('shows remote output lines with verbose', async () => {
    expect(await render(ok, true)).toContain('creating releases');
  });

  it('marks the failed step with its command and shows no later step as done', async () => {
    const text = await render([
      { type: 'step-done', host: 'vps', step: 'deploy.layout.releases', result: 'failed', error: { code: 'step-failed', message: 'x', stage: 'apply', command: 'install -d -m 0750 -- /opt/x', exitCode: 1, stderrTail: ['install: denied'] } },
      { type: 'step-done', host: 'vps', step: 'deploy.layout.data', result: 'not-run', reason: 'deploy.layout.releases failed' },
      { type: 'step-done', host: 'vps', step: 'smoke.http.app', result: 'not-run', reason: 'deploy.layout.releases failed' },
      { type: 'host-done', host: 'vps', result: 'failed', changed: 0, unchanged: 0, failedStep: 'deploy.layout.releases' },
    ]);
    expect(text).toContain('✖ + deploy.layout.releases  Releases [FAILED: apply failed (exit 1): install -d -m 0750 -- /opt/x]');
    expect(text).not.toContain('deploy.layout.data');
    expect(text).not.toContain('[changed]');
  });
});
