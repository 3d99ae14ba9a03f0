import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../src/errors.js';
import { confirmDecision, nameConfirms } from '../../../src/steps/day2/confirmation.js';
import { describeEnvDiff, envKeyDiff } from '../../../src/steps/day2/env-diff.js';
import { healthOf, imageTag, parseSnapshot, type HostSnapshot } from '../../../src/steps/day2/host-snapshot.js';
import { listReleases, parseHistory, selectRelease } from '../../../src/steps/day2/release-history.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const manifest = (id: string, n8n: string) => JSON.stringify({ version: 1, release: id, services: { n8n: { image: `n8n:${n8n}`, inputs: 'i', compose: 'apps' } }, files: {} });
const by = (command: string) => JSON.stringify({ runId: 'r', owner: 'ada', operatorHost: 'laptop', pid: 1, startedAt: 'x', command });

describe('confirmation rules', () => {
  const base = { profileName: 'prod', production: false, yes: false, interactive: false };
  it('accepts --yes for a normal profile, asks in a terminal, refuses otherwise', () => {
    expect(confirmDecision({ ...base, yes: true })).toEqual({ kind: 'go' });
    expect(confirmDecision({ ...base, interactive: true })).toEqual({ kind: 'ask-yes-no' });
    expect(() => confirmDecision(base)).toThrow(/no terminal/);
  });
  it('needs the typed name for production: --yes is not enough', () => {
    const prod = { ...base, production: true };
    expect(() => confirmDecision({ ...prod, yes: true })).toThrow(/marked production/);
    expect(confirmDecision({ ...prod, yes: true, interactive: true })).toEqual({ kind: 'ask-name' });
    expect(confirmDecision({ ...prod, confirm: 'prod' })).toEqual({ kind: 'go' });
    try {
      confirmDecision({ ...prod, confirm: 'prd' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WizardError);
      expect((error as WizardError).hint).toContain('--confirm prod');
    }
    expect(nameConfirms(' prod ', 'prod')).toBe(true);
    expect(nameConfirms('Prod', 'prod')).toBe(false);
  });
});

describe('env file diff', () => {
  it('names changed keys and never a value', () => {
    const d = envKeyDiff('# c\nA="1"\nB="secret-old"\nC="x"\n', 'A="1"\nB="secret-new"\nD="y"\n');
    expect(d).toEqual({ added: ['D'], removed: ['C'], changed: ['B'] });
    expect(describeEnvDiff(d).join(' ')).not.toMatch(/secret-/);
  });
});

describe('host snapshot and release history', () => {
  const history = [
    JSON.stringify({ at: '2026-11-01T10:00:00Z', release: 'aaaaaaaaaaaa', by: JSON.parse(by('apply --only deploy')) }),
    'not json',
    JSON.stringify({ at: '2026-11-02T10:00:00Z', release: 'bbbbbbbbbbbb', by: null }),
    JSON.stringify({ at: '2026-11-03T10:00:00Z', release: 'cccccccccccc', by: JSON.parse(by('redeploy n8n')) }),
  ].join('\n');
  const stdout = [
    'current releases/cccccccccccc',
    `release aaaaaaaaaaaa 100 ${b64(manifest('aaaaaaaaaaaa', '1'))}`,
    `compose aaaaaaaaaaaa docker-compose.yml ${b64('services: {}\n')}`,
    `release bbbbbbbbbbbb 200 ${b64(manifest('bbbbbbbbbbbb', '2'))}`,
    `release cccccccccccc 300 ${b64(manifest('cccccccccccc', '3'))}`,
    'release dddddddddddd 400 ',
    `history ${b64(history)}`,
    'ps n8n|abc123|reg:5000/n8n:3|running|Up 2 minutes (healthy)|inputs1',
    'ps redis|def456|redis:7|exited|Exited (1) 1 minute ago|inputs2',
  ].join('\n');
  const snap: HostSnapshot = parseSnapshot(stdout);

  it('reads the host in one output', () => {
    expect(snap.current).toBe('cccccccccccc');
    expect(snap.releases.map((r) => r.id)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc', 'dddddddddddd']);
    expect(snap.releases[0]?.compose.apps).toBe('services: {}\n');
    expect(snap.releases[3]?.manifest).toBeUndefined();
    expect(healthOf(snap.containers[0])).toBe('healthy');
    expect(healthOf(snap.containers[1])).toBe('stopped');
    expect(healthOf(undefined)).toBe('missing');
    expect(imageTag('sandbox-registry:5000/n8nio/n8n:2.8.0-stand-in')).toBe('2.8.0-stand-in');
    expect(imageTag('sandbox-registry:5000/n8nio/n8n')).toBe('latest');
  });

  it('parses history, skipping lines that are not ours', () => {
    const h = parseHistory(history);
    expect(h).toHaveLength(3);
    expect(h[0]).toEqual({ at: '2026-11-01T10:00:00Z', release: 'aaaaaaaaaaaa', who: 'ada@laptop', command: 'apply --only deploy' });
    expect(h[1]?.who).toBeUndefined();
  });

  it('lists the releases, most recently active first, with who and versions', () => {
    const rows = listReleases(snap);
    expect(rows.map((r) => r.id)).toEqual(['cccccccccccc', 'bbbbbbbbbbbb', 'aaaaaaaaaaaa', 'dddddddddddd']);
    expect(rows[0]).toMatchObject({ current: true, versions: { n8n: 'n8n:3' }, lastActive: { who: 'ada@laptop', command: 'redeploy n8n' } });
    expect(rows[3]).toMatchObject({ restorable: false });
  });

  it('selects the release active before the current one, a named one, or says which ids are valid', () => {
    expect(selectRelease(snap, undefined).id).toBe('bbbbbbbbbbbb');
    expect(selectRelease(snap, 'aaaaaaaaaaaa').id).toBe('aaaaaaaaaaaa');
    expect(selectRelease(snap, 'aaaa').id).toBe('aaaaaaaaaaaa');
    expect(() => selectRelease(snap, 'ffffffffffff')).toThrow(WizardError);
    try {
      selectRelease(snap, 'dddddddddddd');
    } catch (error) {
      expect((error as WizardError).hint).toContain('cccccccccccc, bbbbbbbbbbbb, aaaaaaaaaaaa');
    }
    const noHistory = { ...snap, history: [] };
    expect(selectRelease(noHistory, undefined).id).toBe('bbbbbbbbbbbb');
  });
});
