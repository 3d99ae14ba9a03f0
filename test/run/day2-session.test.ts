import { describe, expect, it } from 'vitest';
import { chooseHost, day2ProgressLine } from '../../src/run/day2-session.js';
import { validExample } from '../helpers/profiles.js';

describe('the host of a day-2 command', () => {
  const vpai = validExample('vpai');

  it('is the one host that runs the service', () => {
    expect(chooseHost(vpai, undefined, 'n8n').name).toBe('sese-ai');
    expect(chooseHost(vpai, undefined, 'couchdb').name).toBe('seko-vpn');
  });

  it('needs --host when several hosts qualify, and names an unknown one', () => {
    expect(() => chooseHost(vpai, undefined, 'caddy')).toThrow(/which one\?/);
    expect(chooseHost(vpai, 'seko-vpn', 'caddy').name).toBe('seko-vpn');
    expect(() => chooseHost(vpai, 'nope', undefined)).toThrow(/no host 'nope'/);
    expect(() => chooseHost(vpai, undefined, 'qdrant-not-a-service')).toThrow(/no host of this profile runs/);
  });

  it('is the only host with containers when no service is named', () => {
    expect(chooseHost(validExample('minimal'), undefined, undefined).name).toBe('vps');
  });
});

describe('progress of a day-2 run', () => {
  it('shows on stderr what a step waits for (the health gate), and nothing of its other events', () => {
    const message = 'health gate: waiting for n8n, 5/180 s: running, health: starting (its own health test does not pass yet: token [redacted] refused)';
    expect(day2ProgressLine({ type: 'step-progress', host: 'vps', step: 'deploy.redeploy.n8n', message })).toBe(`vps: ${message}\n`);
    expect(day2ProgressLine({ type: 'step-output', host: 'vps', step: 'deploy.redeploy.n8n', stream: 'stdout', line: 'compose output' })).toBeUndefined();
    expect(day2ProgressLine({ type: 'step-done', host: 'vps', step: 'deploy.redeploy.n8n', result: 'changed' })).toBeUndefined();
  });
});
