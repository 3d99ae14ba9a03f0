import { describe, expect, it } from 'vitest';
import { chooseHost } from '../../src/flows/day2-session.js';
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
