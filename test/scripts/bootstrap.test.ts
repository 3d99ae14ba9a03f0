import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/profiles.js';

/**
 * The script runs from a copy in a folder anyone may enter: the clone may sit below a folder only
 * root can enter (a 0700 `mktemp -d`), where another user's bash could not even open the script.
 */
function worldReadableCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-bootstrap-copy-'));
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'test', 'e2e'), { recursive: true, mode: 0o755 });
  for (const sub of ['test', 'test/e2e']) chmodSync(path.join(dir, sub), 0o755);
  const script = path.join(dir, 'test', 'e2e', 'bootstrap.sh');
  copyFileSync(path.join(REPO, 'test/e2e/bootstrap.sh'), script);
  chmodSync(script, 0o644);
  mkdirSync(path.join(dir, 'state'), { mode: 0o755 });
  return dir;
}

/** test/e2e/bootstrap.sh, in the case that installs nothing: a user who is not root. */
describe('the end-to-end bootstrap', () => {
  const copy = worldReadableCopy();
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('as a user without root, stops and names what it needs and how to get it', () => {
    const script = path.join(copy, 'test/e2e/bootstrap.sh');
    const asNobody = process.getuid?.() === 0 ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'bash'] : [];
    const r = spawnSync(asNobody.length > 0 ? 'setpriv' : 'bash', [...asNobody, script, '--system'], {
      encoding: 'utf8', env: { PATH: process.env['PATH'], HLW_STATE_DIR: path.join(copy, 'state') }, timeout: 60_000,
    });
    if (asNobody.length === 0 && r.status === 0) return; // a non-root user who already has everything
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bootstrap: error: the end-to-end suite needs:\n/);
    // Such a user may not use the Docker socket (nobody never may): named, with what to do.
    expect(r.stderr).toMatch(/  - a running Docker engine that \S+ may use \(start dockerd, or add \S+ to the docker group\)/);
    expect(r.stderr).toMatch(/hint: run this script as root on Debian or Ubuntu .*`npm run test:fast`/);
  });
});
