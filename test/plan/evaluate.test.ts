import { describe, expect, it } from 'vitest';
import { desiredDigest, observedDigest } from '../../src/plan/digest.js';
import { evaluateStep, sha256 } from '../../src/plan/evaluate.js';
import { Secret } from '../../src/lib/secret.js';
import type { FileFacts } from '../../src/plan/facts.js';
import type { Step } from '../../src/plan/step.js';

const file = (content: string | Secret, mode = '0644') => ({ path: '/etc/app.conf', mode, owner: 'root:root', content });
const step = (over: Partial<Step> = {}): Step => ({ id: 'deploy.app.conf', describe: 'App config', host: 'vps', check: null, files: [file('new\n')], apply: [], risk: 'safe', ...over });
const present = (content: string, mode = 0o644, owner = 'root:root'): FileFacts => ({ state: 'present', sha256: sha256(content), mode, owner, size: content.length, content });

describe('evaluateStep()', () => {
  it('is converged when the check passes and every file matches', () => {
    const change = evaluateStep(step({ check: { argv: ['true'] } }), { checkExit: 0, files: [present('new\n')] });
    expect(change.action).toBe('=');
    expect(change.reasons).toEqual([]);
  });

  it('plans + for a missing file and ~ with a diff for a changed one', () => {
    expect(evaluateStep(step(), { checkExit: null, files: [{ state: 'absent' }] })).toMatchObject({ action: '+', files: [{ action: 'create', reasons: ['missing'] }] });
    const changed = evaluateStep(step(), { checkExit: null, files: [present('old\n')] });
    expect(changed.action).toBe('~');
    expect(changed.files[0]?.diff).toBe('--- /etc/app.conf (on the host)\n+++ /etc/app.conf (planned)\n@@ -1 +1 @@\n-old\n+new\n');
  });

  it('names mode and owner drift even when the content is the same', () => {
    const change = evaluateStep(step(), { checkExit: null, files: [present('new\n', 0o600, 'nobody:nogroup')] });
    expect(change.files[0]?.reasons).toEqual(['mode 0600 → 0644', 'owner nobody:nogroup → root:root']);
    expect(change.files[0]?.diff).toBeUndefined();
  });

  it('never diffs a secret file, and counts its planned bytes', () => {
    const secret = Secret.of('DB_PASSWORD=correct-horse\n');
    const change = evaluateStep(step({ files: [file(secret, '0600')] }), { checkExit: null, files: [{ state: 'present', sha256: 'x', mode: 0o600, owner: 'root:root', size: 3 }] });
    expect(change.files[0]).toMatchObject({ secret: true, bytes: 26, action: 'update', reasons: ['content'] });
    expect(change.files[0]?.diff).toBeUndefined();
    expect(JSON.stringify(change)).not.toContain('correct-horse');
  });

  it('uses the declared effect for a failing check: - delete, ~ update, + create', () => {
    const facts = { checkExit: 1, files: [] };
    expect(evaluateStep(step({ files: [], check: { argv: ['false'] }, effect: 'delete' }), facts).action).toBe('-');
    expect(evaluateStep(step({ files: [], check: { argv: ['false'] }, effect: 'update' }), facts).action).toBe('~');
    expect(evaluateStep(step({ files: [], check: { argv: ['false'] }, effect: 'create' }), facts).action).toBe('+');
    expect(evaluateStep(step({ files: [], check: { argv: ['false'] } }), facts)).toMatchObject({ action: '~', reasons: ['not as the profile says yet (its check exited 1)'] });
  });

  it('says what a failing check means: what the check itself reported, else what the step would do', () => {
    const failing = (effect?: 'create' | 'update' | 'delete') => step({ files: [], check: { argv: ['false'] }, ...(effect ? { effect } : {}) });
    const reasons = (s: Step, facts: { checkExit: number; checkSays?: string[] }) => evaluateStep(s, { ...facts, files: [] }).reasons;
    expect(reasons(failing('create'), { checkExit: 1 })).toEqual(['not there yet (its check exited 1)']);
    expect(reasons(failing('update'), { checkExit: 1 })).toEqual(['not as the profile says yet (its check exited 1)']);
    expect(reasons(failing('delete'), { checkExit: 1 })).toEqual(['something to remove (its check exited 1)']);
    expect(reasons(failing(), { checkExit: 124 })).toEqual(['its check did not finish in time (exit 124): the state is unknown, apply runs the step']);
    expect(reasons(failing(), { checkExit: 127 })).toEqual(['its check could not run (exit 127): the state is unknown, apply runs the step']);
    expect(reasons(failing('update'), { checkExit: 1, checkSays: ['n8n: its compose definition differs', 'redis: not running'] })).toEqual(['n8n: its compose definition differs', 'redis: not running']);
    for (const r of [...reasons(failing(), { checkExit: 1 }), ...reasons(failing('delete'), { checkExit: 2 })]) expect(r).not.toMatch(/^check exited/);
  });

  it('plans folders: + when missing, ~ with the mode or owner that drifted', () => {
    const dirStep = step({ files: [], dirs: [{ path: '/opt/x', mode: '0750', owner: 'root:root' }] });
    expect(evaluateStep(dirStep, { checkExit: null, dirs: [{ state: 'absent' }], files: [] })).toMatchObject({ action: '+', reasons: ['1 folder to make or fix'], dirs: [{ action: 'create', reasons: ['missing'] }] });
    expect(evaluateStep(dirStep, { checkExit: null, dirs: [{ state: 'present', mode: 0o700, owner: 'nobody:root' }], files: [] })).toMatchObject({ action: '~', dirs: [{ action: 'update', reasons: ['mode 0700 → 0750', 'owner nobody:root → root:root'] }] });
    expect(evaluateStep(dirStep, { checkExit: null, dirs: [{ state: 'not-a-dir' }], files: [] })).toMatchObject({ action: '~', dirs: [{ reasons: ['not a folder'] }] });
    expect(evaluateStep(dirStep, { checkExit: null, dirs: [{ state: 'present', mode: 0o750, owner: 'root:root' }], files: [] }).action).toBe('=');
  });

  it('ignores a set-gid bit a folder inherited, unless the spec asks for it', () => {
    const plain = step({ files: [], dirs: [{ path: '/opt/x', mode: '0755', owner: 'root:root' }] });
    expect(evaluateStep(plain, { checkExit: null, dirs: [{ state: 'present', mode: 0o2755, owner: 'root:root' }], files: [] }).action).toBe('=');
    const setgid = step({ files: [], dirs: [{ path: '/opt/x', mode: '2775', owner: 'root:root' }] });
    expect(evaluateStep(setgid, { checkExit: null, dirs: [{ state: 'present', mode: 0o775, owner: 'root:root' }], files: [] }).action).toBe('~');
  });

  it('refuses facts that do not match the step (a probe bug must not pass silently)', () => {
    expect(() => evaluateStep(step(), { checkExit: null, files: [] })).toThrow(/1 files but 0 probe results/);
  });
});

describe('digests', () => {
  it('change with any file content, mode or command, and not otherwise', () => {
    const base = desiredDigest([step()]);
    expect(desiredDigest([step()])).toBe(base);
    expect(desiredDigest([step({ files: [file('other\n')] })])).not.toBe(base);
    expect(desiredDigest([step({ files: [file('new\n', '0600')] })])).not.toBe(base);
    expect(desiredDigest([step({ apply: [{ argv: ['systemctl', 'reload', 'x'] }] })])).not.toBe(base);
  });

  it('track what the probe saw: file hash, mode, owner, and whether checks passed', () => {
    const a = observedDigest(['s'], [{ checkExit: 1, files: [present('x')] }]);
    expect(observedDigest(['s'], [{ checkExit: 2, files: [present('x')] }])).toBe(a);
    expect(observedDigest(['s'], [{ checkExit: 0, files: [present('x')] }])).not.toBe(a);
    expect(observedDigest(['s'], [{ checkExit: 1, files: [present('y')] }])).not.toBe(a);
    expect(observedDigest(['s'], [{ checkExit: 1, files: [present('x', 0o600)] }])).not.toBe(a);
  });
});

describe('owners by name or by id', () => {
  it('accepts a spec owner given by name or by numeric id, as the probe reports both', async () => {
    const { ownerMatches } = await import('../../src/plan/evaluate.js');
    expect(ownerMatches('root:root/0:0', 'root:root')).toBe(true);
    expect(ownerMatches('UNKNOWN:UNKNOWN/999:999', '999:999')).toBe(true);
    expect(ownerMatches('UNKNOWN:UNKNOWN/999:999', '1000:1000')).toBe(false);
  });
});
