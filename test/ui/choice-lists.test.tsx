import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ChoiceList } from '../../src/ui/components/choice-list.js';
import { MultiChoiceList } from '../../src/ui/components/multi-choice-list.js';
import { wizardCatalog } from '../../src/commands/init-catalog.js';
import { screenFields } from '../../src/ui/wizard/screens.js';

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));
const options = Array.from({ length: 20 }, (_, i) => ({ label: `option ${i}`, value: `o${i}` }));

describe('long lists say what is off screen', () => {
  it('a multiple-choice list shows "more below", then "more above" once scrolled', async () => {
    const app = render(<MultiChoiceList options={options} value={[]} visible={12} onSubmit={() => undefined} />);
    await tick();
    expect(app.lastFrame()).toContain('↓ 8 more below');
    expect(app.lastFrame()).not.toContain('more above');
    for (let i = 0; i < 15; i++) {
      app.stdin.write('\u001B[B');
      await tick(10);
    }
    await tick();
    expect(app.lastFrame()).toContain('↑ 4 more above');
    expect(app.lastFrame()).toContain('↓ 4 more below');
    app.unmount();
  });

  it('a single-choice list does the same, and a short list shows no marker', async () => {
    const long = render(<ChoiceList options={options} visible={10} onSubmit={() => undefined} />);
    await tick();
    expect(long.lastFrame()).toContain('↓ 10 more below');
    long.unmount();
    const short = render(<ChoiceList options={options.slice(0, 3)} onSubmit={() => undefined} />);
    await tick();
    expect(short.lastFrame()).not.toMatch(/more (below|above)/);
    short.unmount();
  });
});

describe('the services screen', () => {
  it('proposes the hardening baseline of the role for a new host, and says so', () => {
    const [field] = screenFields('services', { hosts: [{ name: 'vps', role: 'app-server' }] }, wizardCatalog);
    expect(field?.suggestion).toEqual(['docker', 'ufw', 'fail2ban', 'unattended-upgrades']);
    expect(field?.help).toMatch(/Pre-selected: the hardening baseline for a app-server \(docker, ufw, fail2ban, unattended-upgrades\)/);
    const [ws] = screenFields('services', { hosts: [{ name: 'pi', role: 'workstation' }], vpn: { enabled: true } }, wizardCatalog);
    expect(ws?.suggestion).toEqual(['docker', 'ufw', 'unattended-upgrades', 'tailscale']);
  });

  it('keeps the list an existing host already has (an empty one too)', () => {
    const [field] = screenFields('services', { hosts: [{ name: 'vps', role: 'app-server', services: [] }] }, wizardCatalog);
    expect(field?.help).not.toMatch(/Pre-selected/);
  });
});

describe('the services screen on a re-run', () => {
  it('does not pre-select the baseline for a host of the existing profile that lists no services', () => {
    const [field] = screenFields('services', { hosts: [{ name: 'vps', role: 'app-server' }] }, wizardCatalog, 0, { existingHosts: ['vps'] });
    expect(field?.suggestion).toBeUndefined();
    expect(field?.help).not.toMatch(/Pre-selected/);
  });
});
