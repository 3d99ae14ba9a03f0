import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Secret } from '../../../src/lib/secret.js';
import type { Profile } from '../../../src/profile/schema.js';
import { validateProfile } from '../../../src/profile/validate.js';
import { QDRANT_CONFIG_TARGET } from '../../../src/render/qdrant-config.js';
import { renderRelease } from '../../../src/render/release.js';
import { ON_CONTAINER, QDRANT_COLLECTIONS } from '../../../src/remote/generated-scripts.js';
import { smokePlan } from '../../../src/smoke/checks.js';
import { evaluateHost, hostScript, type HostFacts } from '../../../src/smoke/host-script.js';
import { deploySteps } from '../../../src/steps/deploy/stack.js';
import { exampleProfile, validExample } from '../../helpers/profiles.js';

type Mutate = (p: Record<string, any>) => void;
const KEY = 'qdrant-key-never-in-argv';
const vault = (key: string): Secret | undefined => Secret.of(key === 'qdrant.apiKey' ? KEY : `value-of-${key}`);
const profile = (mutate: Mutate = () => {}): Profile => validExample('minimal', (p) => {
  p.hosts[0].services = ['docker', 'caddy', 'qdrant'];
  mutate(p);
});

function issues(mutate: Mutate): { path: string; message: string }[] {
  const raw = exampleProfile('minimal');
  mutate(raw);
  const r = validateProfile(raw);
  return r.ok ? [] : r.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe('profile: qdrant.collections', () => {
  it("defaults to vpai's two collections (§2.3): semantic_cache and content_index, 1536 dimensions, Cosine", () => {
    expect(profile().qdrant.collections).toEqual([
      { name: 'semantic_cache', dimensions: 1536, distance: 'Cosine' },
      { name: 'content_index', dimensions: 1536, distance: 'Cosine' },
    ]);
    expect(validExample('vpai').qdrant.collections.map((c) => c.name)).toEqual(['semantic_cache', 'content_index']);
  });

  it.each<[string, Mutate, string, RegExp]>([
    ['dimensions 0', (p) => (p.qdrant = { collections: [{ name: 'a', dimensions: 0 }] }), 'qdrant.collections[0].dimensions', /at least 1/],
    ['dimensions over Qdrant\'s limit', (p) => (p.qdrant = { collections: [{ name: 'a', dimensions: 65537 }] }), 'qdrant.collections[0].dimensions', /at most 65536/],
    ['fractional dimensions', (p) => (p.qdrant = { collections: [{ name: 'a', dimensions: 1.5 }] }), 'qdrant.collections[0].dimensions', /whole number/],
    ['an unknown distance', (p) => (p.qdrant = { collections: [{ name: 'a', dimensions: 4, distance: 'cosine' }] }), 'qdrant.collections[0].distance', /Cosine, Dot, Euclid, Manhattan/],
    ['a name Qdrant refuses', (p) => (p.qdrant = { collections: [{ name: 'a/b', dimensions: 4 }] }), 'qdrant.collections[0].name', /Qdrant collection name/],
    ['a name that would be an option', (p) => (p.qdrant = { collections: [{ name: '-x', dimensions: 4 }] }), 'qdrant.collections[0].name', /not starting with - or \./],
    ['a name listed twice', (p) => (p.qdrant = { collections: [{ name: 'a', dimensions: 4 }, { name: 'a', dimensions: 8 }] }), 'qdrant.collections[1].name', /listed twice/],
    ['an unknown key', (p) => (p.qdrant = { collections: [{ name: 'a', dimensions: 4, size: 4 }] }), 'qdrant.collections[0].size', /not a known field/],
  ])('refuses %s, naming the field', (_what, mutate, at, message) => {
    const found = issues(mutate);
    expect(found.map((i) => i.path)).toContain(at);
    expect(found.find((i) => i.path === at)?.message).toMatch(message);
  });
});

describe("Qdrant's own configuration file", () => {
  const release = renderRelease({ profile: profile(), host: profile().hosts[0]!, projectDir: '/opt/homelab/minimal', secret: vault });
  const file = release.files.find((f) => f.path === 'config/qdrant/production.yaml');

  it('is the typed settings of §4.8 as YAML, without the API key, mounted where the image reads it', () => {
    expect(file).toMatchObject({ mode: '0644', service: 'qdrant' });
    expect(parse(file!.content as string)).toEqual({
      log_level: 'INFO',
      storage: {
        storage_path: '/qdrant/storage',
        snapshots_path: '/qdrant/snapshots',
        optimizers: { default_segment_number: 2 },
        hnsw_index: { m: 16, ef_construct: 100, full_scan_threshold_kb: 10000 },
      },
      service: { host: '0.0.0.0', http_port: 6333, grpc_port: 6334, enable_tls: false },
      telemetry_disabled: true,
    });
    expect(file!.content as string).not.toContain(KEY);
    const infra = parse(release.files.find((f) => f.path === 'docker-compose-infra.yml')!.content as string) as { services: Record<string, { volumes: string[] }> };
    expect(infra.services['qdrant']!.volumes).toContain(`./config/qdrant/production.yaml:${QDRANT_CONFIG_TARGET}:ro`);
    expect(QDRANT_CONFIG_TARGET).toBe('/qdrant/config/production.yaml');
    // The key stays in the 0600 env file.
    const env = release.files.find((f) => f.path === 'env/qdrant.env')!;
    expect(env.mode).toBe('0600');
  });

  it('holds no collection: changing qdrant.collections neither changes the file nor recreates Qdrant', () => {
    const other = renderRelease({ profile: profile((p) => (p.qdrant = { collections: [{ name: 'x', dimensions: 4 }] })), host: profile().hosts[0]!, projectDir: '/opt/homelab/minimal', secret: vault });
    expect(other.inputs.get('qdrant')).toBe(release.inputs.get('qdrant'));
    expect(other.files.find((f) => f.path === 'config/qdrant/production.yaml')?.content).toBe(file!.content);
  });
});

describe('deploy.qdrant.collections', () => {
  const p = profile((raw) => (raw.qdrant = { collections: [{ name: 'semantic_cache', dimensions: 1536 }, { name: 'small', dimensions: 8, distance: 'Euclid' }] }));
  const steps = deploySteps(p, p.hosts[0]!, vault);
  const step = steps.find((s) => s.id === 'deploy.qdrant.collections')!;
  const inner = (mode: string) => ['sh', '-c', QDRANT_COLLECTIONS, 'qdrant-collections', '6333', mode, 'semantic_cache:1536:Cosine', 'small:8:Euclid'];

  it('runs after the infrastructure stack is up and health-gated, before the apps, with a describe that lists the collections', () => {
    const ids = steps.map((s) => s.id);
    expect(ids.indexOf('deploy.qdrant.collections')).toBe(ids.indexOf('deploy.stack.infra') + 1);
    expect(ids.indexOf('deploy.qdrant.collections')).toBeLessThan(ids.indexOf('deploy.release.current'));
    expect(step.describe).toBe('Qdrant collections through its API: semantic_cache (1536 dimensions, Cosine), small (8 dimensions, Euclid); created when missing, never changed or deleted');
    expect(step).toMatchObject({ risk: 'safe', effect: 'create', checkReports: true });
  });

  it("checks and applies in Qdrant's container, found by its compose labels; the API key is in no argv and on no stdin", () => {
    expect(step.check!.argv).toEqual(['sh', '-c', ON_CONTAINER, 'homelab-wizard', 'minimal-infra', 'minimal', 'qdrant', 'exec', '{}', ...inner('check')]);
    expect(step.apply).toEqual([{ argv: ['sh', '-c', ON_CONTAINER, 'homelab-wizard', 'minimal-infra', 'minimal', 'qdrant', 'exec', '{}', ...inner('apply')] }]);
    for (const command of [step.check!, ...step.apply]) {
      expect(command.argv.join(' ')).not.toContain(KEY);
      expect(command.stdin).toBeUndefined();
    }
  });

  it('the check, run with a stand-in docker, reaches `docker exec CID sh -c SCRIPT …` with the collections', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-qdrant-step-'));
    try {
      writeFileSync(path.join(dir, 'docker'), `#!/bin/sh\nif [ "$1" = ps ]; then case "$*" in *service=qdrant*project=minimal-infra*|*project=minimal-infra*service=qdrant*) echo cid123 ;; esac; exit 0; fi\nprintf '%s\\n' "$@" > ${dir}/args\n`, { mode: 0o755 });
      const [, , script, ...args] = step.check!.argv;
      execFileSync('sh', ['-c', script!, ...args], { env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
      const seen = execFileSync('cat', [path.join(dir, 'args')], { encoding: 'utf8' }).split('\n');
      expect(seen.slice(0, 3)).toEqual(['exec', 'cid123', 'sh']);
      expect(seen.slice(-4, -1)).toEqual(['check', 'semantic_cache:1536:Cosine', 'small:8:Euclid']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is absent where no Qdrant runs, or with no collection', () => {
    const none = profile((raw) => (raw.hosts[0].services = ['docker', 'caddy']));
    expect(deploySteps(none, none.hosts[0]!, vault).some((s) => s.id.startsWith('deploy.qdrant'))).toBe(false);
    const empty = profile((raw) => (raw.qdrant = { collections: [] }));
    expect(deploySteps(empty, empty.hosts[0]!, vault).some((s) => s.id.startsWith('deploy.qdrant'))).toBe(false);
  });
});

describe('smoke qdrant.collections', () => {
  const p = profile();
  const plan = smokePlan(p, p.hosts[0]!);
  const index = plan.checks.findIndex((c) => c.id === 'qdrant.collections');
  const facts = (code: number, output: string): HostFacts => ({
    deployed: true,
    containers: new Map([['minimal-infra/qdrant', { state: 'running', status: 'Up 1 minute (healthy)' }], ['minimal-infra/caddy', { state: 'running', status: 'Up 1 minute (healthy)' }]]),
    outputs: new Map([[index, { code, output }]]),
  });
  const verdict = (code: number, output: string) => evaluateHost(plan, facts(code, output)).find((r) => r.id === 'qdrant.collections');

  it("is planned from the profile's collections, in Qdrant's container, the key in neither argv nor stdin", () => {
    expect(plan.checks[index]).toMatchObject({ kind: 'qdrant-collections', service: 'qdrant', describe: 'Qdrant has the collections semantic_cache (1536, Cosine), content_index (1536, Cosine) (asked through its API)' });
    const script = hostScript(plan, '/opt/homelab/minimal/current');
    expect(script.passwordKeys).toEqual([]);
    expect(script.argv.join(' ')).toContain("exec -T qdrant sh -c '");
    expect(script.argv.join(' ')).toContain("check semantic_cache:1536:Cosine content_index:1536:Cosine");
  });

  it('passes with the collections as its reason, and fails with what is missing or different', () => {
    expect(verdict(0, 'present: semantic_cache (1536, Cosine) content_index (1536, Cosine)\n')).toMatchObject({ status: 'PASS', reason: 'present: semantic_cache (1536, Cosine) content_index (1536, Cosine)' });
    expect(verdict(1, 'semantic_cache: missing (wanted 1536 dimensions, Cosine)\ncontent_index: exists with 768 dimensions, Cosine; the profile wants 1536 dimensions, Cosine\n')).toMatchObject({
      status: 'FAIL',
      reason: 'semantic_cache: missing (wanted 1536 dimensions, Cosine); content_index: exists with 768 dimensions, Cosine; the profile wants 1536 dimensions, Cosine',
    });
    expect(verdict(4, 'Qdrant refused the request for collection semantic_cache (401: Invalid API key or JWT): the API key in its environment is not the one it runs with')).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/401: Invalid API key/) });
    expect(verdict(3, 'no bash in the Qdrant container: cannot reach its API from inside')).toMatchObject({ status: 'FAIL' });
  });
});
