import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { problemAt } from '../../src/commands/init-catalog.js';
import { sshPublicKeyProblem } from '../../src/profile/ssh-public-key.js';
import { validateProfile } from '../../src/profile/validate.js';
import { exampleProfile } from '../helpers/profiles.js';
import { ensureCommands } from '../helpers/system-packages.js';

const real: Record<string, string> = {};
beforeAll(() => {
  ensureCommands({ 'ssh-keygen': 'openssh-client' });
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-keys-'));
  for (const [name, args] of Object.entries({ ed25519: ['-t', 'ed25519'], rsa: ['-t', 'rsa', '-b', '3072'], ecdsa: ['-t', 'ecdsa', '-b', '384'] })) {
    execFileSync('ssh-keygen', [...args, '-N', '', '-q', '-C', `${name}@example.com`, '-f', path.join(dir, name)]);
    real[name] = readFileSync(path.join(dir, `${name}.pub`), 'utf8').trim();
  }
});

describe('an operator SSH key is decoded, not just pattern-matched', () => {
  it('accepts real ed25519, RSA and ECDSA keys from ssh-keygen', () => {
    for (const key of Object.values(real)) expect(sshPublicKeyProblem(key), key).toBeUndefined();
  });

  it('refuses "ssh-ed25519 garbage", in profile check and in the wizard', () => {
    const p = exampleProfile('minimal');
    p.operator.sshPublicKeys = ['ssh-ed25519 garbage'];
    const result = validateProfile(p);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toContainEqual({ path: 'operator.sshPublicKeys[0]', message: expect.stringMatching(/is not a whole ssh-ed25519 key/) });
    expect(problemAt({ operator: { sshPublicKeys: ['ssh-ed25519 garbage'] } }, ['operator', 'sshPublicKeys', 0])).toMatch(/not a whole ssh-ed25519 key/);
  });

  it('refuses a truncated paste of a real key', () => {
    const [type, data] = (real['ed25519'] as string).split(' ');
    expect(sshPublicKeyProblem(`${type} ${data?.slice(0, -8)}`)).toMatch(/truncated/);
    const [rtype, rdata] = (real['rsa'] as string).split(' ');
    expect(sshPublicKeyProblem(`${rtype} ${rdata?.slice(0, 200)}`)).toMatch(/truncated/);
  });

  it('refuses a key whose type line and contents disagree', () => {
    const data = (real['ed25519'] as string).split(' ')[1];
    expect(sshPublicKeyProblem(`ssh-rsa ${data}`)).toBe('says ssh-rsa but holds a ssh-ed25519 key');
  });
});
