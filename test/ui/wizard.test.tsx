import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { problemAt, problemWithSecret, wizardCatalog, withDependencies } from '../../src/commands/init-catalog.js';
import { validateProfile } from '../../src/profile/validate.js';
import { Wizard } from '../../src/ui/wizard/wizard.js';
import { initialState, reduce, type WizardState } from '../../src/ui/wizard/wizard-state.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2nXyIHvA0Tt6YtYvLZ2dHAnjB4vkDT5fZ4m0Yz3pJq operator@example.com';
const ENTER = '\r';
const ESC = '\u001B';
const DOWN = '\u001B[B';

const tick = (ms = 15) => new Promise((r) => setTimeout(r, ms));

/** Keys written before Ink's input hook attaches are lost: wait for the expected frame first (stack-notes §2). */
function driver(lastFrame: () => string | undefined, stdin: { write: (s: string) => void }) {
  const waitFor = async (text: string | RegExp, timeoutMs = 10_000): Promise<string> => {
    const start = Date.now();
    for (;;) {
      const frame = lastFrame() ?? '';
      if (typeof text === 'string' ? frame.includes(text) : text.test(frame)) {
        // The input hook attaches in an effect after the frame is drawn; give it time under load.
        await tick(60);
        return frame;
      }
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${String(text)}; last frame:\n${frame}`);
      await tick(10);
    }
  };
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      stdin.write(key);
      await tick(40);
    }
  };
  return { waitFor, press, type: async (text: string) => press(text) };
}

function mount(initial: WizardState) {
  let finished: WizardState | undefined;
  let aborted = false;
  const app = render(
    <Wizard
      initial={initial}
      catalog={wizardCatalog}
      problemAt={problemAt}
      problemWithSecret={problemWithSecret}
      withDependencies={withDependencies}
      onFinish={(s) => (finished = s)}
      onAbort={() => (aborted = true)}
    />,
  );
  return { app, ...driver(app.lastFrame, app.stdin), finished: () => finished, aborted: () => aborted };
}

describe('the init wizard', () => {
  it('walks through a minimal setup, goes back once, and ends with a valid profile', { timeout: 60_000 }, async () => {
    const w = mount(initialState({ operator: { sshPublicKeys: [KEY] } }));
    await w.waitFor('step 1/12 · Project');
    await w.waitFor('Project name');
    await w.press(ENTER); // homelab (suggested)
    await w.waitFor('Display name');
    await w.press(ENTER);
    await w.waitFor('Is this production?');
    await w.press('n');
    await w.waitFor('Your SSH public key');
    await w.press(ENTER);
    await w.waitFor('Time zone');
    await w.press(ENTER);
    await w.waitFor('Main domain');
    await w.press(ESC); // back one question, the answer is kept
    await w.waitFor('Time zone');
    await w.press(ENTER);
    await w.waitFor('Main domain');
    await w.type('example.com');
    await w.press(ENTER);
    await w.waitFor('DNS records');
    await w.press(DOWN, ENTER); // manual
    await w.waitFor('TLS certificates');
    await w.press(ENTER);
    await w.waitFor('+ add a host');
    await w.press(ENTER);
    await w.waitFor('Host name');
    await w.type('vps');
    await w.press(ENTER);
    await w.waitFor('Role');
    await w.press(DOWN, ENTER); // app-server
    await w.waitFor('Server');
    await w.press(ENTER); // existing
    await w.waitFor('Public address');
    await w.type('203.0.113.10');
    await w.press(ENTER);
    await w.waitFor('Keep these settings?');
    await w.press('n'); // ask each of the usual settings
    for (const label of ['SSH port today', 'SSH port after hardening', 'Login user today', 'Admin user to create', 'sudo for the admin user', 'Architecture', 'Operating system']) {
      await w.waitFor(label);
      await w.press(ENTER);
    }
    await w.waitFor('edit vps (app-server, 203.0.113.10)');
    await w.press(DOWN, DOWN, DOWN, ENTER); // continue
    await w.waitFor('Headscale VPN');
    await w.press('n');
    await w.waitFor('Who can reach the admin sites?');
    await w.press(ENTER);
    await w.waitFor('Services on vps');
    await w.press(DOWN, DOWN, DOWN, DOWN, ' ', ENTER); // n8n
    await w.waitFor('Where should alerts go?');
    await w.press(DOWN, ENTER); // email
    await w.waitFor('Notification e-mail');
    await w.type('ops@example.com');
    await w.press(ENTER);
    await w.waitFor('n8n owner e-mail');
    await w.type('ops@example.com');
    await w.press(ENTER);
    await w.waitFor('n8n owner first name');
    await w.type('Ada');
    await w.press(ENTER);
    await w.waitFor('n8n owner last name');
    await w.type('Lovelace');
    await w.press(ENTER);
    await w.waitFor('Generate the');
    await w.press('y');
    const review = await w.waitFor('step 12/12 · Review');
    expect(review.replace(/\s+/g, ' ')).toContain('vps app-server @ 203.0.113.10 ssh 22→2222: docker ufw fail2ban unattended-upgrades caddy postgresql redis n8n');
    await w.press(ENTER); // write the profile (encrypted)
    await tick(50);
    const result = w.finished();
    expect(result?.outcome).toEqual({ kind: 'write', encrypted: true });
    const validation = validateProfile({ schemaVersion: 1, ...result!.draft });
    expect(validation.ok, JSON.stringify(validation)).toBe(true);
    w.app.unmount();
  });

  it('shows the schema message under the field and does not move on', async () => {
    const w = mount(initialState({}));
    await w.waitFor('Project name');
    await w.press(...Array(7).fill('\u007f')); // erase the suggestion
    await w.type('Bad Name');
    await w.press(ENTER);
    const frame = await w.waitFor('✖');
    expect(frame).toContain('lower-case letters, digits or dashes');
    expect(frame).toContain('Project name');
    w.app.unmount();
  });

  it('never renders a secret it was given', async () => {
    const state: WizardState = { ...initialState({ hosts: [{ name: 'vps', provider: { kind: 'hetzner' }, services: [] }] }), screen: 'api-keys' };
    const w = mount(state);
    await w.waitFor('Hetzner Cloud API token');
    await w.type('a'.repeat(64));
    const frame = w.app.lastFrame() ?? '';
    expect(frame).not.toContain('aaaa');
    expect(frame).toContain('****');
    w.app.unmount();
  });

  it('reports Ctrl-C as an abort', async () => {
    const w = mount(initialState({}));
    await w.waitFor('Project name');
    await w.press('\u0003');
    await tick(30);
    expect(w.aborted()).toBe(true);
  });
});

describe('wizard state', () => {
  it('goes back through history and keeps answers', () => {
    let s = initialState({});
    s = reduce(s, { type: 'answer', value: 'home' }, wizardCatalog);
    s = reduce(s, { type: 'answer', value: 'Home' }, wizardCatalog);
    expect(s.field).toBe(2);
    s = reduce(s, { type: 'back' }, wizardCatalog);
    expect(s.field).toBe(1);
    expect(s.draft['project']).toEqual({ name: 'home', displayName: 'Home' });
  });

  it('reopens a section from the review and returns there', () => {
    let s: WizardState = { ...initialState({ project: { name: 'home' } }), screen: 'review' };
    s = reduce(s, { type: 'menu', value: 'goto:access' }, wizardCatalog);
    expect(s.screen).toBe('access');
    s = reduce(s, { type: 'answer', value: 'public' }, wizardCatalog);
    expect(s.screen).toBe('review');
  });

  it('refuses to continue without a host', () => {
    const s = reduce({ ...initialState({}), screen: 'hosts' }, { type: 'menu', value: 'done' }, wizardCatalog);
    expect(s.screen).toBe('hosts');
    expect(s.error).toBe('Add at least one host.');
  });
});
