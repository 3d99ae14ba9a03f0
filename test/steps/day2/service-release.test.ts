import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isSecret, Secret } from '../../../src/lib/secret.js';
import type { Profile } from '../../../src/profile/schema.js';
import { COMPOSE_FILES, manifestOf, manifestText, parseManifest, stateText } from '../../../src/render/release-manifest.js';
import { renderRelease, type Release } from '../../../src/render/release.js';
import { replaceComposeService } from '../../../src/steps/day2/compose-merge.js';
import { changedComposeFiles, othersChanged, planServiceRelease, withRunningContainer, type ReleaseView } from '../../../src/steps/day2/service-release.js';
import { deploySteps, releaseId } from '../../../src/steps/deploy/stack.js';
import { validExample } from '../../helpers/profiles.js';

const secret = (key: string): Secret => Secret.of(`value-of-${key}-"quoted" $x`);

function render(profile: Profile): Release {
  return renderRelease({ profile, host: profile.hosts[0]!, projectDir: '/opt/homelab/minimal', secret });
}

function view(release: Release): ReleaseView & { id: string; content: Map<string, string | Secret> } {
  const content = new Map(release.files.map((f) => [f.path, f.content] as const));
  const manifest = manifestOf(release);
  return { id: manifest.release, manifest, compose: { infra: content.get(COMPOSE_FILES.infra) as string, apps: content.get(COMPOSE_FILES.apps) as string }, content };
}

const withN8n = (version: string, redisMemory?: string) =>
  validExample('minimal', (raw) => {
    raw['hosts'][0].services = raw['hosts'][0].services.map((s: string) => (s === 'n8n' ? { name: 'n8n', version } : s === 'redis' && redisMemory ? { name: 'redis', memoryLimit: redisMemory } : s));
  });

describe('release manifest', () => {
  it('names a release by its content, and deploy writes the same id, release.json and state.json', () => {
    const profile = validExample('minimal');
    const release = render(profile);
    const manifest = manifestOf(release);
    expect(manifest.release).toBe(releaseId(release));
    expect(manifestOf(render(profile)).release).toBe(manifest.release);
    expect(manifestOf(render(withN8n('2.8.0'))).release).not.toBe(manifest.release);
    const steps = deploySteps(profile, profile.hosts[0]!, secret);
    const files = steps.flatMap((s) => s.files ?? []);
    const json = files.find((f) => f.path.endsWith(`/releases/${manifest.release}/release.json`));
    expect(json?.mode).toBe('0600');
    expect(isSecret(json?.content)).toBe(true);
    expect(parseManifest((json!.content as Secret).reveal())).toEqual(manifest);
    const state = files.find((f) => f.path.endsWith('/state.json'))?.content;
    expect(isSecret(state) ? state.reveal() : state).toBe(stateText(manifest));
    // Digests only: no value of any secret.
    expect(manifestText(manifest)).not.toMatch(/value-of-/);
    expect(manifest.files['env/n8n.env']?.service).toBe('n8n');
    expect(manifest.files[COMPOSE_FILES.apps]?.service).toBeUndefined();
  });

  it('refuses a release.json that is not one of ours', () => {
    expect(parseManifest('{"version":2}')).toBeUndefined();
    expect(parseManifest('not json')).toBeUndefined();
    expect(parseManifest('{"version":1,"release":"x","services":{},"files":{"a":{"sha256":"zz","mode":"0644","owner":"root:root"}}}')).toBeUndefined();
  });
});

describe('one service of a release', () => {
  it('rewrites a compose file byte for byte when the service definition is the same', () => {
    const { compose } = view(render(validExample('minimal')));
    expect(replaceComposeService(compose.apps!, compose.apps!, 'n8n')).toBe(compose.apps);
    expect(replaceComposeService(compose.infra!, compose.infra!, 'redis')).toBe(compose.infra);
  });

  it('takes only the service from the profile; the result is the full render when nothing else changed', () => {
    const running = view(render(validExample('minimal')));
    const fresh = view(render(withN8n('2.8.0')));
    const plan = planServiceRelease('n8n', running, { kind: 'profile', ...fresh }, new Set([running.id]));
    expect(plan.unchanged).toBe(false);
    expect(plan.imageBefore).toMatch(/n8n:2\.7\.3$/);
    expect(plan.imageAfter).toMatch(/n8n:2\.8\.0$/);
    expect(plan.fileChanges).toEqual([]);
    // Same content as a full deploy of the new profile: the same id, so a later apply sees no change.
    expect(plan.manifest.release).toBe(fresh.id);
    expect(plan.uploads.map((u) => u.path).sort()).toEqual([COMPOSE_FILES.apps, 'release.json']);
    expect(plan.reuse).toBe(false);
  });

  it('leaves every other service as it runs even when the profile changed it too, and says which', () => {
    const running = view(render(validExample('minimal')));
    const fresh = view(render(withN8n('2.8.0', '512M')));
    const plan = planServiceRelease('n8n', running, { kind: 'profile', ...fresh }, new Set());
    expect(othersChanged(running, fresh, 'n8n')).toEqual(['redis']);
    expect(othersChanged(running, running, 'n8n')).toEqual([]);
    expect(plan.manifest.services['redis']).toEqual(running.manifest.services['redis']);
    const infra = plan.uploads.find((u) => u.path === COMPOSE_FILES.infra);
    expect(infra).toBeUndefined();
    const apps = parse(plan.uploads.find((u) => u.path === COMPOSE_FILES.apps)!.content as string, { version: '1.1' }) as { services: Record<string, { image: string }> };
    expect(apps.services['n8n']?.image).toMatch(/2\.8\.0$/);
    expect(plan.manifest.release).not.toBe(fresh.id);
  });

  it('uploads a changed env file (as a secret) and reports nothing when nothing changed', () => {
    const running = view(render(validExample('minimal')));
    const other = (key: string): Secret => (key === 'n8n.dbPassword' ? Secret.of('rotated') : secret(key));
    const freshRelease = renderRelease({ profile: validExample('minimal'), host: validExample('minimal').hosts[0]!, projectDir: '/opt/homelab/minimal', secret: other });
    const fresh = view(freshRelease);
    const plan = planServiceRelease('n8n', running, { kind: 'profile', ...fresh }, new Set());
    expect(plan.fileChanges).toEqual([{ path: 'env/n8n.env', change: 'changed' }]);
    const env = plan.uploads.find((u) => u.path === 'env/n8n.env');
    expect(env?.mode).toBe('0600');
    expect(isSecret(env?.content)).toBe(true);
    expect(planServiceRelease('caddy', running, { kind: 'profile', ...running }, new Set()).unchanged).toBe(true);
  });

  it('redeploys a memory limit alone, and recreates in place a container that does not run what the running release defines', () => {
    const running = view(render(validExample('minimal')));
    const limited = view(render(validExample('minimal', (raw) => {
      raw['hosts'][0].services = raw['hosts'][0].services.map((s: string) => (s === 'n8n' ? { name: 'n8n', memoryLimit: '1100M' } : s));
    })));
    const plan = planServiceRelease('n8n', running, { kind: 'profile', ...limited }, new Set());
    expect(plan.unchanged).toBe(false);
    expect(plan.manifest.services['n8n']?.inputs).not.toBe(running.manifest.services['n8n']?.inputs);
    expect(plan.uploads.map((u) => u.path)).toEqual(['docker-compose.yml', 'release.json']);
    expect(withRunningContainer(plan, undefined)).toBe(plan);

    const same = planServiceRelease('n8n', running, { kind: 'profile', ...running }, new Set([running.id]));
    const inputs = running.manifest.services['n8n']!.inputs;
    expect(withRunningContainer(same, { inputs })).toBe(same);
    for (const container of [{ inputs: 'an-older-label' }, undefined]) {
      const again = withRunningContainer(same, container);
      expect(again).toMatchObject({ unchanged: false, reuse: true, recreate: true, base: running.id });
      expect(again.manifest.release).toBe(running.id);
    }
  });

  it('rolls one service back by copying its files from the older release, reusing that folder when the result is it', () => {
    const old = view(render(validExample('minimal')));
    const now = view(render(withN8n('2.8.0')));
    const plan = planServiceRelease('n8n', now, { kind: 'release', id: old.id, manifest: old.manifest, compose: old.compose }, new Set([old.id, now.id]));
    expect(plan.manifest.release).toBe(old.id);
    expect(plan.reuse).toBe(true);
    expect(plan.copyFrom).toBe(old.id);
    expect(plan.imageAfter).toMatch(/2\.7\.3$/);
  });

  it('brings up only the compose files in which a service differs, for a whole-stack switch', () => {
    const a = view(render(validExample('minimal')));
    expect(changedComposeFiles(a, a)).toEqual({ infra: false, apps: false });
    expect(changedComposeFiles(a, view(render(withN8n('2.8.0'))))).toEqual({ infra: false, apps: true });
    expect(changedComposeFiles(a, view(render(withN8n('2.7.3', '512M'))))).toEqual({ infra: true, apps: false });
    expect(changedComposeFiles(a, view(render(withN8n('2.8.0', '512M'))))).toEqual({ infra: true, apps: true });
  });

  it('refuses a service that does not run, or that the source lacks', () => {
    const running = view(render(validExample('minimal')));
    expect(() => planServiceRelease('grafana', running, { kind: 'profile', ...running }, new Set())).toThrow(/not part of the running release/);
    const without = view(render(validExample('minimal', (raw) => void (raw['hosts'][0].services = raw['hosts'][0].services.filter((s: string) => s !== 'n8n')))));
    expect(() => planServiceRelease('n8n', running, { kind: 'profile', ...without }, new Set())).toThrow(/no longer in the profile/);
  });
});
