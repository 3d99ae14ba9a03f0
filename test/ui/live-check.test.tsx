import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { problemAt, problemWithSecret, wizardCatalog, withDependencies } from '../../src/commands/init-catalog.js';
import { Wizard } from '../../src/ui/wizard/wizard.js';
import { initialState, type WizardState } from '../../src/ui/wizard/wizard-state.js';

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

async function waitFor(frame: () => string | undefined, text: string | RegExp): Promise<string> {
  const start = Date.now();
  for (;;) {
    const f = frame() ?? '';
    if (typeof text === 'string' ? f.includes(text) : text.test(f)) {
      await tick(60);
      return f;
    }
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${String(text)}; last frame:\n${f}`);
    await tick(10);
  }
}

describe('a live credential check in the wizard', () => {
  it('drops the old ✖ while it checks, words a shape error plainly, and Ctrl-C cancels the check at once', async () => {
    let signal: AbortSignal | undefined;
    let aborted = false;
    const state: WizardState = { ...initialState({ hosts: [{ name: 'vps', provider: { kind: 'hetzner' }, services: [] }] }), screen: 'api-keys' };
    const app = render(
      <Wizard
        initial={state}
        catalog={wizardCatalog}
        problemAt={problemAt}
        problemWithSecret={problemWithSecret}
        withDependencies={withDependencies}
        // Never answers on its own: only the cancel signal ends it.
        liveCheck={(_kind, _value, _secrets, _draft, cancel) =>
          new Promise((resolve) => {
            signal = cancel;
            cancel.addEventListener('abort', () => resolve({ ok: undefined, message: 'check cancelled' }));
          })
        }
        onFinish={() => undefined}
        onAbort={() => (aborted = true)}
      />,
    );
    await waitFor(app.lastFrame, 'Hetzner Cloud API token');
    app.stdin.write('short');
    await tick();
    app.stdin.write('\r');
    const refused = await waitFor(app.lastFrame, '✖');
    expect(refused).toContain('✖ expected 64 letters and digits for the Hetzner Cloud API token; got 5 characters (check the paste)');
    expect(refused).not.toMatch(/does not look like|\(expected/);
    app.stdin.write('\u0015'); // Ctrl-U: erase the short paste
    await tick();
    app.stdin.write('a'.repeat(64));
    await tick();
    app.stdin.write('\r');
    const checking = await waitFor(app.lastFrame, 'checking with hetzner');
    expect(checking).not.toContain('✖');
    expect(signal?.aborted).toBe(false);
    app.stdin.write('\u0003');
    await tick();
    expect(signal?.aborted).toBe(true);
    expect(aborted).toBe(true);
    app.unmount();
  });
});

describe('a required API key on a re-run', () => {
  it('is kept with Enter when the vault holds it, and still required when it does not', async () => {
    const draft = { hosts: [{ name: 'vps', provider: { kind: 'hetzner' }, services: [] }] };
    for (const vaultKeys of [['hetzner.token'], []]) {
      const app = render(
        <Wizard
          initial={{ ...initialState(draft, {}, { vaultKeys }), screen: 'api-keys' }}
          catalog={wizardCatalog}
          problemAt={problemAt}
          problemWithSecret={problemWithSecret}
          withDependencies={withDependencies}
          onFinish={() => undefined}
          onAbort={() => undefined}
        />,
      );
      await waitFor(app.lastFrame, 'Hetzner Cloud API token');
      app.stdin.write('\r');
      if (vaultKeys.length > 0) expect(await waitFor(app.lastFrame, /Generate the|Review/)).not.toContain('✖');
      else expect(await waitFor(app.lastFrame, '✖')).toContain('is required');
      app.unmount();
    }
  });
});
