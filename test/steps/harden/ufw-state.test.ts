import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UFW_ADDED } from '../../../src/steps/harden/ufw-state.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hlw-ufw-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ufw_added run by dash over user.rules/user6.rules with these lines (the files elsewhere than /etc/ufw). */
function added(v4: string[], v6: string[]): string {
  writeFileSync(path.join(dir, 'user.rules'), ['*filter', ':ufw-user-input - [0:0]', ...v4.flatMap((t) => [`### tuple ### ${t}`, '-A ufw-user-input -j ACCEPT']), 'COMMIT', ''].join('\n'));
  writeFileSync(path.join(dir, 'user6.rules'), ['*filter', ...v6.map((t) => `### tuple ### ${t}`), 'COMMIT', ''].join('\n'));
  return execFileSync('dash', ['-c', `${UFW_ADDED.replaceAll('/etc/ufw/', `${dir}/`)}\nufw_added`], { encoding: 'utf8' });
}

describe('ufw_added: the rules as `ufw show added` prints them, from ufw 0.36\'s own files', () => {
  it('gives one line per rule for its IPv4 and IPv6 tuples, in the forms the firewall step wants', () => {
    // Tuples as ufw 0.36.2 wrote them for `ufw allow 2222/tcp`, `ufw allow 443/udp` and
    // `ufw allow from 100.64.0.0/10 to any port 443 proto tcp` (read on a sandbox server).
    expect(added(
      ['allow tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in', 'allow udp 443 0.0.0.0/0 any 0.0.0.0/0 in', 'allow tcp 443 0.0.0.0/0 any 100.64.0.0/10 in'],
      ['allow tcp 2222 ::/0 any ::/0 in', 'allow udp 443 ::/0 any ::/0 in'],
    )).toBe(['ufw allow 2222/tcp', 'ufw allow 443/udp', 'ufw allow from 100.64.0.0/10 to any port 443 proto tcp', ''].join('\n'));
  });

  it('shows any other rule as a tuple line, which never equals a wanted rule', () => {
    const out = added(['allow tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in', 'deny tcp 25 0.0.0.0/0 any 0.0.0.0/0 in', 'allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in_eth0'], []);
    expect(out.split('\n')).toEqual(['tuple: allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in_eth0', 'tuple: deny tcp 25 0.0.0.0/0 any 0.0.0.0/0 in', 'ufw allow 2222/tcp', '']);
  });

  it('prints nothing when ufw has no rules files yet (a fresh host)', () => {
    rmSync(path.join(dir, 'user.rules'));
    rmSync(path.join(dir, 'user6.rules'));
    expect(execFileSync('dash', ['-c', `${UFW_ADDED.replaceAll('/etc/ufw/', `${dir}/`)}\nufw_added`], { encoding: 'utf8' })).toBe('');
  });
});
