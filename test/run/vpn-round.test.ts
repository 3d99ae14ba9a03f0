import { describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import { isSecret } from '../../src/lib/secret.js';
import { makeAuthKey, readVpnAddress } from '../../src/run/vpn-round.js';
import { FakeHost } from '../fakes/fake-host.js';
import { validExample } from '../helpers/profiles.js';

const KEY = 'a'.repeat(48);

/** A hub whose headscale (run through the hub command) answers like the given version. */
function hub(version: string, users: string, made: string[][] = []): FakeHost {
  const fake = new FakeHost('hub');
  fake.rules.push({
    match: (argv) => argv[0] === 'sh' && argv[4] === 'p-infra',
    run: (_h, c) => {
      const args = c.argv.slice(5) as string[];
      made.push(args);
      if (args[0] === 'version') return { code: 0, stdout: `${version}\n`, stderr: '' };
      if (args[0] === 'users' && args[1] === 'list') return { code: 0, stdout: made.some((a) => a[1] === 'create' && a[0] === 'users') ? '[{"id":4,"name":"homelab"}]' : users, stderr: '' };
      if (args[0] === 'users' && args[1] === 'create') return { code: 0, stdout: 'User created\n', stderr: '' };
      if (args[0] === 'preauthkeys') return { code: 0, stdout: `${KEY}\n`, stderr: '' };
      return { code: 1, stdout: '', stderr: 'unknown\n' };
    },
  });
  return fake;
}

describe('makeAuthKey()', () => {
  it('on 0.26 creates the missing user, then a single-use key for its ID, returned as a Secret', async () => {
    const calls: string[][] = [];
    const key = await makeAuthKey(hub('v0.26.1', '[]', calls).runner(), 'p', 'homelab');
    expect(isSecret(key)).toBe(true);
    expect(key.reveal()).toBe(KEY);
    expect(calls).toEqual([['version'], ['users', 'list', '-o', 'json'], ['users', 'create', 'homelab'], ['users', 'list', '-o', 'json'], ['preauthkeys', 'create', '--user', '4', '--expiration', '10m']]);
  });

  it('on 0.23 names the user', async () => {
    const calls: string[][] = [];
    await makeAuthKey(hub('v0.23.0', '[{"id":2,"name":"homelab"}]', calls).runner(), 'p', 'homelab');
    expect(calls.at(-1)).toEqual(['preauthkeys', 'create', '--user', 'homelab', '--expiration', '10m']);
  });

  it('refuses a Headscale older than 0.23, and says to deploy the hub when Headscale is not running', async () => {
    await expect(makeAuthKey(hub('v0.22.3', '[]').runner(), 'p', 'homelab')).rejects.toThrow(/older than 0\.23/);
    const down = new FakeHost('hub');
    down.rules.push({ match: (argv) => argv[0] === 'sh', run: () => ({ code: 3, stdout: '', stderr: 'no running Headscale here\n' }) });
    const error = await makeAuthKey(down.runner(), 'p', 'homelab').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WizardError);
    expect((error as WizardError).code).toBe('vpn-hub');
    expect((error as WizardError).hint).toMatch(/apply --host hub/);
  });

  it('never returns what is not a key', async () => {
    const odd = new FakeHost('hub');
    odd.rules.push({ match: (argv) => argv[0] === 'sh', run: (_h, c) => ({ code: 0, stdout: c.argv[5] === 'version' ? 'v0.26.1\n' : c.argv[6] === 'list' ? '[{"id":1,"name":"homelab"}]' : 'Error: something\n', stderr: '' }) });
    await expect(makeAuthKey(odd.runner(), 'p', 'homelab')).rejects.toThrow(/did not print a key/);
  });
});

describe('readVpnAddress()', () => {
  it('takes the IPv4 address inside the profile VPN range, and nothing else', async () => {
    const profile = validExample('vpai');
    const fake = new FakeHost('n');
    let out = '100.64.0.9\n';
    fake.rules.push({ match: (argv) => argv[0] === 'tailscale', run: () => ({ code: 0, stdout: out, stderr: '' }) });
    expect(await readVpnAddress(fake.runner(), profile)).toBe('100.64.0.9');
    out = '10.0.0.1\n';
    expect(await readVpnAddress(fake.runner(), profile)).toBeUndefined();
  });
});
