import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/catalog.js';
import { EXTERNAL_SECRETS } from '../../src/catalog/external-secrets.js';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { profileJsonSchema } from '../../src/profile/json-schema.js';
import type { Profile } from '../../src/profile/schema.js';
import { validateProfile } from '../../src/profile/validate.js';
import { profileWarnings } from '../../src/profile/warnings.js';
import { desiredRecords } from '../../src/providers/ovh/dns-plan.js';
import { desiredServers } from '../../src/providers/hetzner/cloud-plan.js';
import { smokePlan } from '../../src/smoke/checks.js';
import { loginCandidates } from '../../src/ssh/logins.js';
import { PHASES } from '../../src/steps/phases.js';
import { hostSteps, type StepContext } from '../../src/steps/registry.js';
import { FILE_VARIANTS, STAND_IN_VAULT } from '../helpers/host-files.js';
import { exampleProfile, REPO, validExample } from '../helpers/profiles.js';

/**
 * Every field of the profile and every vault key must be used by something (the charter: "every
 * field the wizard asks and every secret it stores is used by something, or not asked").
 *
 * "Used" is measured, not declared: change one field (or give one secret a value of its own) and
 * what the tool would do must change: the steps of every host (files, commands, checks), the smoke
 * checks, the cloud servers and firewalls, the DNS records, the SSH logins. A few fields are read
 * only by I/O adapters at run time (the SSH identity file, API endpoints); those are listed with
 * the source file that reads them, and the test checks that file still does.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Leaf paths of the JSON schema: `hosts[].ssh.port`, `litellm.models[].alias`. */
function schemaLeaves(schema: Record<string, any>): string[] {
  const out = new Set<string>();
  const walk = (node: Record<string, any>, path: string): void => {
    const alternatives = node['anyOf'] ?? node['oneOf'];
    if (Array.isArray(alternatives)) {
      const objects = alternatives.filter((a: Record<string, any>) => a['type'] === 'object' || a['type'] === 'array');
      if (objects.length === 0) out.add(path);
      for (const a of objects) walk(a, path);
      return;
    }
    if (node['type'] === 'object' && node['properties'] !== undefined) {
      for (const [key, child] of Object.entries(node['properties'] as Record<string, Record<string, any>>)) walk(child, path === '' ? key : `${path}.${key}`);
      return;
    }
    if (node['type'] === 'array' && node['items']?.['type'] === 'object') return walk(node['items'], `${path}[]`);
    out.add(path);
  };
  walk(schema, '');
  return [...out];
}

/** The concrete paths of a leaf in a profile (`hosts.2.ssh.port`), one per array element, where set. */
function concretePaths(root: unknown, leaf: string): string[][] {
  let paths: { path: string[]; node: unknown }[] = [{ path: [], node: root }];
  for (const part of leaf.split('.')) {
    const key = part.replace(/\[\]$/, '');
    paths = paths.flatMap(({ path, node }) => {
      const child = (node as Record<string, unknown> | undefined)?.[key];
      if (child === undefined) return [];
      if (!part.endsWith('[]')) return [{ path: [...path, key], node: child }];
      return Array.isArray(child) ? child.map((item, i) => ({ path: [...path, key, String(i)], node: item as unknown })) : [];
    });
  }
  return paths.map(({ path }) => path);
}

function getAt(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
}

function setAt(root: unknown, path: readonly string[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string, unknown>;
  parent[path[path.length - 1] as string] = value;
}

/** Another value of the same kind; the tool need not accept it, only react to it. */
function changed(value: unknown): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'string') return `${value}x`;
  if (Array.isArray(value)) return value.length > 1 ? value.slice(1) : [...value, ...value.map((v) => (typeof v === 'string' ? `${v}x` : v))];
  throw new Error(`cannot change ${JSON.stringify(value)}`);
}

/** JSON replacer that shows secrets: it sees the value before Secret.toJSON redacts it. */
function reveal(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return isSecret(raw) ? `secret:${raw.reveal()}` : value;
}

/** What the tool would do with a profile, as one text: anything a field changes shows up here. */
function behaviour(profile: Profile, context: StepContext = STAND_IN_VAULT): string {
  const attempt = (what: () => unknown): Json => {
    try {
      return JSON.parse(JSON.stringify(what(), reveal) ?? 'null') as Json;
    } catch (error) {
      return `threw: ${(error as Error).message}`;
    }
  };
  return JSON.stringify({
    hosts: profile.hosts.map((host) => ({
      steps: attempt(() => hostSteps(profile, host, PHASES, context)),
      smoke: attempt(() => smokePlan(profile, host)),
      logins: attempt(() => [loginCandidates(host), loginCandidates(host, true)]),
    })),
    servers: attempt(() => desiredServers(profile)),
    records: attempt(() => desiredRecords(profile)),
  });
}

/** A throwaway root certificate for `domain.acmeServer.roots`, which must be a valid PEM certificate. */
const TEST_ROOT = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Test ACME root', '-days', '30'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/** Profiles that between them set every field of the schema. */
const PROFILES: Readonly<Record<string, () => Profile>> = {
  ...FILE_VARIANTS,
  'vpai-custom-acme': () =>
    validExample('vpai', (p) => {
      p['domain'].acmeEmail = 'acme@example.com';
      p['domain'].acmeServer = { directory: 'https://acme.example.com/dir', roots: TEST_ROOT };
      p['domain'].acmeResolvers = ['198.51.100.53:53'];
      p['images'] = { registry: 'registry.example.com:5000', insecureRegistry: true };
      p['hosts'][0].ssh.jumpHost = 'seko-vpn';
      p['hosts'][0].docker = { source: 'distribution' };
      p['hosts'][0].tailscaleIp = '100.64.0.10';
      p['vpn'].user = 'fleet';
      p['providers'] = { hetzner: { endpoint: 'https://hetzner.example.com/v1' }, ovh: { endpoint: 'https://ovh.example.com/1.0' } };
      p['deploy'].root = '/srv/homelab';
      p['openclaw'] = { defaultModel: 'claude-haiku', telegramChatId: '-1001234567890' };
    }),
};

/**
 * Fields that only an I/O adapter reads, at run time (no pure function sees them): the file that
 * reads each. Keep this short; a field that can be seen in a plan belongs in the plan.
 */
const READ_BY_ADAPTER: Readonly<Record<string, { file: string; reads: string }>> = {
  'schemaVersion': { file: 'src/profile/migrate.ts', reads: "doc['schemaVersion']" },
  'project.production': { file: 'src/commands/redeploy.ts', reads: 'production: d.profile.project.production' },
  'domain.dnsProvider': { file: 'src/run/cloud-work.ts', reads: "profile.domain.dnsProvider === 'ovh'" },
  'operator.identityFile': { file: 'src/session/engine-setup.ts', reads: 'profile.operator.identityFile' },
  'hosts[].ssh.jumpHost': { file: 'src/session/engine-setup.ts', reads: 'host.ssh.jumpHost' },
  'vpn.hub': { file: 'src/run/vpn-round.ts', reads: 'profile.vpn.hub' },
  'vpn.user': { file: 'src/run/vpn-round.ts', reads: 'profile.vpn.user' },
  'providers.hetzner.endpoint': { file: 'src/run/cloud-phases.ts', reads: 'profile.providers.hetzner.endpoint' },
  'providers.ovh.endpoint': { file: 'src/run/cloud-phases.ts', reads: 'profile.providers.ovh.endpoint' },
};

/**
 * Fields that only the profile's rules read: they decide what else the profile may say. Changing
 * one (to another valid value) must make a rule refuse some other field.
 */
const CHECKED_BY_RULES: Readonly<Record<string, { change: (raw: Record<string, any>) => void; refuses: string }>> = {
  'hosts[].role': { change: (raw) => (raw['hosts'][0].role = 'workstation'), refuses: 'hosts[0].services[7]' },
};

/** Vault keys read by an adapter at run time, not rendered into anything on a host. */
const SECRET_READ_BY_ADAPTER: Readonly<Record<string, { file: string }>> = {
  'hetzner.token': { file: 'src/run/cloud-phases.ts' },
  'ovh.applicationKey': { file: 'src/run/cloud-phases.ts' },
  'ovh.applicationSecret': { file: 'src/run/cloud-phases.ts' },
  'ovh.consumerKey': { file: 'src/run/cloud-phases.ts' },
};

/**
 * Settings of features this version does not carry out yet (backups, alerts; NocoDB already uses
 * the S3 endpoint, region, shared bucket and keys): the test fails as
 * soon as something uses one (take it off the list then), and `profile check` warns whoever sets
 * them that nothing happens yet (src/profile/warnings.ts), checked below.
 */
const NOT_YET_USED: ReadonlySet<string> = new Set([
  'notifications.method', 'notifications.telegram.chatId',
  'backups.enabled', 'backups.s3.bucket',
  'backups.retention.daily', 'backups.retention.weekly', 'backups.retention.monthly', 'backups.retention.yearly',
]);
const SECRETS_NOT_YET_USED: ReadonlySet<string> = new Set(['telegram.monitoringBotToken', 'notifications.webhookUrl']);

const LEAVES = schemaLeaves(profileJsonSchema());
const profiles = Object.entries(PROFILES).map(([name, make]) => ({ name, profile: make() }));

describe('every profile field is used by something', () => {
  it('finds the leaves of the schema (the walk itself works)', () => {
    expect(LEAVES).toContain('hosts[].ssh.port');
    expect(LEAVES).toContain('litellm.models[].alias');
    expect(LEAVES.length).toBeGreaterThan(60);
  });

  it.each(LEAVES)('%s', (leaf) => {
    const adapter = READ_BY_ADAPTER[leaf];
    if (adapter !== undefined) {
      expect(readFileSync(`${REPO}${adapter.file}`, 'utf8'), `${adapter.file} no longer reads ${leaf}`).toContain(adapter.reads);
      return;
    }
    const rule = CHECKED_BY_RULES[leaf];
    if (rule !== undefined) {
      const raw = exampleProfile('vpai');
      expect(validateProfile(raw).ok).toBe(true);
      rule.change(raw);
      const result = validateProfile(raw);
      expect(result.ok ? [] : result.issues.map((i) => i.path), `no rule reads ${leaf} any more`).toContain(rule.refuses);
      return;
    }
    const tried = profiles.flatMap(({ name, profile }) => concretePaths(profile, leaf).map((path) => ({ name, profile, path })));
    expect(tried.length, `no profile of this test sets ${leaf}: add one to PROFILES`).toBeGreaterThan(0);
    const used = tried.some(({ profile, path }) => {
      const other = structuredClone(profile);
      setAt(other, path, changed(getAt(profile, path)));
      return behaviour(other) !== behaviour(profile);
    });
    if (NOT_YET_USED.has(leaf)) {
      expect(used, `${leaf} is used now: take it off NOT_YET_USED`).toBe(false);
      return;
    }
    expect(used, `nothing renders, checks or uses ${leaf} (changed in ${tried.length} places of the test profiles)`).toBe(true);
  });

  it('profile check warns whoever sets a feature that is not carried out yet', () => {
    const warned = profileWarnings(validExample('vpai')).map((w) => w.path);
    for (const leaf of NOT_YET_USED) expect(warned, leaf).toContain(leaf.startsWith('backups.') ? 'backups.enabled' : 'notifications.method');
  });
});

/** Every key the catalogue and the profile's features can put in a vault. */
const VAULT_KEYS = [...new Set([...CATALOG.flatMap((e) => e.secrets.map((s) => s.key)), ...Object.values(EXTERNAL_SECRETS).flatMap((specs) => specs.map((s) => s.key))])];

describe('every vault key is used by something', () => {
  it.each(VAULT_KEYS)('%s', (key) => {
    const adapter = SECRET_READ_BY_ADAPTER[key];
    if (adapter !== undefined) {
      expect(readFileSync(`${REPO}${adapter.file}`, 'utf8'), `${adapter.file} no longer reads ${key}`).toContain(`'${key}'`);
      return;
    }
    // Two values of this key alone: what the tool does must depend on which one the vault holds.
    const holding = (value: string): StepContext => ({ secret: (k) => Secret.of(k === key ? value : `value of ${k}`) });
    const user = profiles.find(({ profile }) => behaviour(profile, holding('one value')) !== behaviour(profile, holding('another value')));
    if (SECRETS_NOT_YET_USED.has(key)) {
      expect(user, `${key} is used now: take it off SECRETS_NOT_YET_USED`).toBeUndefined();
      return;
    }
    expect(user, `nothing renders, checks or uses the vault key ${key}`).toBeDefined();
  });
});
