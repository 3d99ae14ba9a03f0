import type { NodeSSH } from 'node-ssh';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { SshRunner, type SudoMode } from '../../src/ssh/ssh-runner.js';
import { writeFileArgv } from '../../src/ssh/write-file.js';

/** How the runner becomes root: composition only (this machine has no sudo to run it against). */
const endpoint = { address: '203.0.113.10', port: 22, user: 'deploy' };
const runner = (sudo: SudoMode): SshRunner => new SshRunner('vps', {} as NodeSSH, endpoint, sudo);

describe('commands as sent', () => {
  it('adds nothing for root, and sudo -n for NOPASSWD', () => {
    expect(runner({ kind: 'root' }).remote({ argv: ['install', '-d', '/opt/x'] })).toEqual({ line: 'install -d /opt/x', stdin: undefined });
    expect(runner({ kind: 'nopasswd' }).remote({ argv: ['install', '-d', '/opt/x'] })).toEqual({ line: 'sudo -n -- install -d /opt/x', stdin: undefined });
  });

  it('sends the sudo password as the first stdin line, never in the command line', () => {
    const password = Secret.of('correct horse battery');
    const sent = runner({ kind: 'password', password }).remote({ argv: ['sh', '-s'], stdin: 'echo hi\n' });
    expect(sent.line).toBe("sudo -k -S -p '' -- sh -s");
    expect(sent.line).not.toContain('correct horse');
    expect(sent.stdin).toBe('correct horse battery\necho hi\n');
    expect(runner({ kind: 'password', password }).remote({ argv: ['true'] }).stdin).toBe('correct horse battery\n');
  });

  it('runs a command as the login user when it asks for no sudo', () => {
    expect(runner({ kind: 'nopasswd' }).remote({ argv: ['id', '-un'], sudo: false }).line).toBe('id -un');
  });

  it('reveals a secret stdin only at the moment it is sent', () => {
    expect(runner({ kind: 'root' }).remote({ argv: ['cat'], stdin: Secret.of('s3cret') }).stdin).toBe('s3cret');
  });

  it('refuses upload paths that are relative or climb with ..', () => {
    expect(() => writeFileArgv({ path: 'etc/x', mode: '0644', owner: 'root:root' })).toThrow(/absolute/);
    expect(() => writeFileArgv({ path: '/opt/../etc/x', mode: '0644', owner: 'root:root' })).toThrow(/absolute/);
    expect(() => writeFileArgv({ path: '/opt/x', mode: 'rw-r--r--', owner: 'root:root' })).toThrow(/octal/);
  });
});
