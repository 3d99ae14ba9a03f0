import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../src/errors.js';
import { confirmDecision, nameConfirms } from '../../../src/steps/day2/confirmation.js';
import { describeEnvDiff, envKeyDiff } from '../../../src/steps/day2/env-diff.js';
import { containerHealth, snapshotOf, type HostSnapshot } from '../../../src/steps/day2/host-snapshot.js';
import { imageTag } from '../../../src/plan/container-health.js';
import { parseProbeOutput } from '../../../src/engine/probe-script.js';
import type { InventoryFacts } from '../../../src/plan/inventory.js';
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
  // What the probe prints when a day-2 command asks for releases: read by the one probe parser.
  const tab = (...fields: string[]): string => b64(fields.join('\t'));
  const stdout = [
    '@@hlw begin',
    `@@hlw ctr demo ${tab('n8n', 'reg:5000/n8n:3', 'running', 'Up 2 minutes (healthy)', 'abc123', 'inputs1', '-')}`,
    `@@hlw ctr demo ${tab('redis', 'redis:7', 'exited', 'Exited (1) 1 minute ago', 'def456', 'inputs2', '-')}`,
    `@@hlw current ${b64('releases/cccccccccccc')}`,
    '@@hlw clock 1764000000',
    `@@hlw release aaaaaaaaaaaa 100 ${b64(manifest('aaaaaaaaaaaa', '1'))}`,
    `@@hlw rcompose aaaaaaaaaaaa docker-compose.yml ${b64('services: {}\n')}`,
    `@@hlw release bbbbbbbbbbbb 200 ${b64(manifest('bbbbbbbbbbbb', '2'))}`,
    `@@hlw release cccccccccccc 300 ${b64(manifest('cccccccccccc', '3'))}`,
    '@@hlw release dddddddddddd 400 ',
    `@@hlw history ${b64(history)}`,
    '@@hlw inventory-end',
    '@@hlw end',
  ].join('\n');
  const request = { steps: [], project: '/opt/homelab/demo', inventory: { composeProjects: ['demo'], releases: true } };
  const facts = parseProbeOutput('vps', request, stdout, '').report?.inventory;
  const snap: HostSnapshot = snapshotOf(facts as InventoryFacts);

  it('reads the host in one output', () => {
    expect(snap.current).toBe('cccccccccccc');
    expect(snap.releases.map((r) => r.id)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc', 'dddddddddddd']);
    expect(snap.releases[0]?.compose.apps).toBe('services: {}\n');
    expect(snap.releases[3]?.manifest).toBeUndefined();
    expect(snap.containers[0]).toMatchObject({ service: 'n8n', id: 'abc123', inputs: 'inputs1' });
    expect(facts?.clock).toBe(1764000000);
    expect(containerHealth(snap.containers[0])).toBe('healthy');
    expect(containerHealth(snap.containers[1])).toBe('stopped');
    expect(containerHealth(undefined)).toBe('missing');
    expect(imageTag('redis:7.4@sha256:abcd')).toBe('7.4');
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
