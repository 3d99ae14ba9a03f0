import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/profiles.js';

/** test/e2e/bootstrap.sh, in the case that installs nothing: a user who is not root. */
describe('the end-to-end bootstrap', () => {
  it('as a user without root, stops and names what it needs and how to get it', () => {
    if (process.getuid?.() !== 0) {
      // Already not root: run it as we are.
      const r = spawnSync('bash', [path.join(REPO, 'test/e2e/bootstrap.sh'), '--system'], { encoding: 'utf8', env: { ...process.env, HLW_STATE_DIR: '/tmp/hlw-bootstrap-test' } });
      expect(r.status === 0 || /the end-to-end suite needs:/.test(r.stderr)).toBe(true);
      return;
    }
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'bash', path.join(REPO, 'test/e2e/bootstrap.sh'), '--system'], {
      encoding: 'utf8', env: { PATH: process.env['PATH'], HLW_STATE_DIR: '/tmp/hlw-bootstrap-test-nobody' }, timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bootstrap: error: the end-to-end suite needs:\n/);
    // nobody may not use the Docker socket: named, with what to do.
    expect(r.stderr).toMatch(/  - a running Docker engine that nobody may use \(start dockerd, or add nobody to the docker group\)/);
    expect(r.stderr).toMatch(/hint: run this script as root on Debian or Ubuntu .*`npm run test:fast`/);
  });
});
