import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { PickList } from '../../src/ui/day2/pick-list.js';

const ENTER = '\r';
const ESC = '\u001B';
const DOWN = '\u001B[B';
const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

async function waitFor(lastFrame: () => string | undefined, text: string): Promise<string> {
  const start = Date.now();
  for (;;) {
    const frame = lastFrame() ?? '';
    if (frame.includes(text)) {
      await tick(60); // the input hook attaches after the first frame (stack-notes §2)
      return frame;
    }
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${text}; last frame:\n${frame}`);
    await tick(10);
  }
}

const rows = [
  { value: 'caddy', cells: ['caddy', '2.10.2', '2.10.2', 'healthy'] },
  { value: 'n8n', cells: ['n8n', '2.7.3', '2.8.0', 'healthy'] },
  { value: 'redis', cells: ['redis', '8.2.1', '8.2.1', 'unhealthy'], warn: true },
];

describe('the redeploy picker', () => {
  it('shows each service with running and pinned tags and health, and returns the chosen one', async () => {
    let chosen: string | undefined;
    let cancelled = false;
    const { lastFrame, stdin, unmount } = render(
      <PickList title="Redeploy which service on vps?" columns={['service', 'running', 'pinned', 'health']} rows={rows} onSubmit={(v) => (chosen = v)} onCancel={() => (cancelled = true)} />,
    );
    const frame = await waitFor(lastFrame, 'Redeploy which service');
    expect(frame).toMatch(/service\s+running\s+pinned\s+health/);
    expect(frame).toMatch(/n8n\s+2\.7\.3\s+2\.8\.0\s+healthy/);
    expect(frame).toMatch(/redis\s+8\.2\.1\s+8\.2\.1\s+unhealthy\s+!/);
    expect(frame).toMatch(/❯ caddy/);
    stdin.write(DOWN);
    await tick(60);
    expect(lastFrame()).toMatch(/❯ n8n/);
    stdin.write(ENTER);
    await tick(60);
    expect(chosen).toBe('n8n');
    expect(cancelled).toBe(false);
    unmount();
  });

  it('cancels on Esc without choosing', async () => {
    let chosen: string | undefined;
    let cancelled = false;
    const { lastFrame, stdin, unmount } = render(<PickList title="Pick" columns={['service']} rows={rows} value="redis" onSubmit={(v) => (chosen = v)} onCancel={() => (cancelled = true)} />);
    const frame = await waitFor(lastFrame, 'Pick');
    expect(frame).toMatch(/❯ redis/);
    stdin.write(ESC);
    await tick(120);
    expect(cancelled).toBe(true);
    expect(chosen).toBeUndefined();
    unmount();
  });
});
