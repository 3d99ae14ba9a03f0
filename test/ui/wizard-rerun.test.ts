import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { wizardCatalog } from '../../src/commands/init-catalog.js';
import { mergeProfileText } from '../../src/profile/merge.js';
import { currentFields, fieldValue, initialState, reduce, type WizardState } from '../../src/ui/wizard/wizard-state.js';
import { REPO } from '../helpers/profiles.js';

const minimal = () => parse(readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8')) as Record<string, any>;
const labels = (s: WizardState) => currentFields(s, wizardCatalog)[0]?.options?.map((o) => o.label) ?? [];

describe('a re-run of the wizard', () => {
  it('opens on the review page with the current form first (plain stays plain unless switched)', () => {
    const s = initialState(minimal(), {}, { currentForm: 'plain', fileName: 'profiles/minimal.yaml', startAtReview: true });
    expect(s.screen).toBe('review');
    expect(labels(s)[0]).toBe('write the profile (plain, as now) and the vault');
    expect(labels(s)[1]).toMatch(/^switch to an encrypted profile .*profiles\/minimal\.yaml is kept as profiles\/minimal\.yaml\.bak/);
    expect(reduce(s, { type: 'menu', value: 'write:plain' }, wizardCatalog).outcome).toEqual({ kind: 'write', encrypted: false });
  });

  it('a new profile still defaults to encrypted', () => {
    const s: WizardState = { ...initialState({}), screen: 'review' };
    expect(labels(s)[0]).toBe('write the profile (encrypted) and the vault');
  });

  it('does not offer to generate internal secrets the vault already holds', () => {
    const keys = wizardCatalog.internalSecrets(minimal()).map((s) => s.key);
    expect(keys.length).toBe(5);
    const all: WizardState = { ...initialState(minimal(), {}, { vaultKeys: keys }), screen: 'internal-secrets' };
    expect(currentFields(all, wizardCatalog)).toEqual([]);
    const some: WizardState = { ...initialState(minimal(), {}, { vaultKeys: keys.slice(0, 3) }), screen: 'internal-secrets' };
    expect(currentFields(some, wizardCatalog)[0]?.label).toMatch(/^Generate the 2 missing internal secrets .*\(3 already in the vault are kept\.\)/);
    // Reopening a section from the review does not pass through the (now empty) secrets screen.
    let s = reduce({ ...all, screen: 'review' }, { type: 'menu', value: 'goto:notifications' }, wizardCatalog);
    s = reduce(s, { type: 'answer', value: 'email' }, wizardCatalog);
    s = reduce(s, { type: 'answer', value: 'ops@example.com' }, wizardCatalog);
    expect(s.screen).toBe('review');
  });

  it('adds no untouched defaults: Enter through a reopened section leaves the profile text as it was', () => {
    let s = initialState(minimal(), {}, { startAtReview: true });
    s = reduce(s, { type: 'menu', value: 'goto:project' }, wizardCatalog);
    while (s.screen === 'project') {
      const field = currentFields(s, wizardCatalog)[s.field];
      s = reduce(s, { type: 'answer', value: field ? fieldValue(s, field) : undefined }, wizardCatalog);
    }
    for (const section of ['vpn', 'access']) {
      s = reduce(s, { type: 'menu', value: `goto:${section}` }, wizardCatalog);
      const field = currentFields(s, wizardCatalog)[s.field];
      s = reduce(s, { type: 'answer', value: field ? fieldValue(s, field) : undefined }, wizardCatalog);
    }
    expect(s.screen).toBe('review');
    const before = readFileSync(path.join(REPO, 'profiles/minimal.yaml'), 'utf8');
    expect(mergeProfileText(before, { schemaVersion: 1, ...s.draft })).toBe(before);
  });

  it('asks the usual host settings in one question; yes on an existing host writes nothing, on a new host writes what it showed', () => {
    let s = initialState(minimal(), {}, { startAtReview: true });
    s = reduce(s, { type: 'menu', value: 'edit:0' }, wizardCatalog);
    const ids = currentFields(s, wizardCatalog).map((f) => f.id);
    expect(ids.slice(0, ids.indexOf('usual') + 1)).toEqual(['name', 'role', 'provider', 'address', 'usual']);
    for (let i = 0; i < 4; i++) s = reduce(s, { type: 'answer', value: fieldValue(s, currentFields(s, wizardCatalog)[s.field]!) }, wizardCatalog);
    expect(currentFields(s, wizardCatalog)[s.field]?.label).toMatch(/SSH port 22 → 2222 after hardening, login root, admin user deploy \(sudo without password\), debian-13 on amd64/);
    s = reduce(s, { type: 'answer', value: true }, wizardCatalog);
    expect(s.screen).toBe('hosts');
    expect(s.draft['hosts'][0]).toEqual(minimal()['hosts'][0]);

    s = reduce(s, { type: 'menu', value: 'add' }, wizardCatalog);
    for (const value of ['db', 'app-server', 'existing', '203.0.113.11']) s = reduce(s, { type: 'answer', value }, wizardCatalog);
    s = reduce(s, { type: 'answer', value: true }, wizardCatalog);
    expect(s.draft['hosts'][1]).toMatchObject({ name: 'db', arch: 'amd64', os: 'debian-13', ssh: { port: 22, targetPort: 2222, user: 'root', adminUser: 'deploy', sudo: 'nopasswd' } });
  });
});

describe('API keys on a re-run', () => {
  it('says that a key already in the vault is kept with Enter, and Enter keeps it', () => {
    const draft = { ...minimal(), hosts: [{ ...minimal()['hosts'][0], provider: { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-13' } }] };
    const s: WizardState = { ...initialState(draft, {}, { vaultKeys: ['hetzner.token'], startAtReview: true }), screen: 'api-keys' };
    const field = currentFields(s, wizardCatalog).find((f) => f.secretKey === 'hetzner.token');
    expect(field?.help).toBe('vault key hetzner.token; already in the vault: Enter keeps it');
  });
});
