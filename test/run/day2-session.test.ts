import { describe, expect, it } from 'vitest';
import { chooseHost, progressPrinter } from '../../src/run/day2-session.js';
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

describe('progress of a day-2 script', () => {
  it('shows what the health gate waits for on stderr (redacted), and nothing of its other output', () => {
    const lines: string[] = [];
    const print = progressPrinter('vps', (t) => t.replaceAll('s3cret', '[redacted]'), (t) => lines.push(t));
    print('hlw-progress: health gate: waiting for n8n, 5/180 s: running, health: starting (its own health test does not pass yet: token s3cret refused)');
    print('a line of the snapshot the flow parses');
    expect(lines).toEqual(['vps: health gate: waiting for n8n, 5/180 s: running, health: starting (its own health test does not pass yet: token [redacted] refused)\n']);
  });
});
