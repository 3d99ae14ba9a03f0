import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/catalog.js';
import { rewriteImage } from '../../src/profile/effective.js';
import { imageRecipes, registryPath, STAND_INS } from '../../src/sandbox/recipes.js';
import { recipeHash, weekKey } from '../../src/sandbox/images.js';
import { REPO } from '../helpers/profiles.js';

const TEMPLATES = path.join(REPO, 'templates/sandbox');

describe('sandbox image recipes', () => {
  const recipes = imageRecipes();

  it('publish every compose service of the catalogue under its pinned image, exactly once', () => {
    const published = recipes.flatMap((r) => r.publishes).filter((ref) => !ref.endsWith('-stand-in')).sort();
    const catalogue = CATALOG.filter((e) => e.placement.kind === 'compose').map((e) => `${e.image?.repository}:${e.image?.tag}`).sort();
    expect(published).toEqual(catalogue);
  });

  it('publish extra stand-in tags only under their service\'s repository, named as stand-ins', () => {
    const extra = recipes.flatMap((r) => r.publishes.slice(1).map((ref) => ({ r, ref })));
    expect(extra.map((e) => e.ref)).toContain('docker.n8n.io/n8nio/n8n:2.8.0-stand-in');
    for (const { r, ref } of extra) {
      expect(r.standIn).toBe(true);
      expect(ref).toMatch(/:[^:/]+-stand-in$/);
      expect(ref.slice(0, ref.lastIndexOf(':'))).toBe((r.publishes[0] as string).slice(0, (r.publishes[0] as string).lastIndexOf(':')));
    }
  });

  it('build Caddy, PostgreSQL and Redis from Debian packages and mark every other service a stand-in', () => {
    const real = recipes.filter((r) => r.publishes.length > 0 && !r.standIn).map((r) => r.id).sort();
    expect(real).toEqual(['caddy', 'postgresql', 'redis']);
    for (const r of recipes.filter((x) => x.standIn && x.publishes.length > 0)) {
      expect(r.image).toMatch(/\/stand-in-/);
      expect(STAND_INS[r.id]).toBeDefined();
    }
  });

  it('list parents before children, and every file they use exists', () => {
    const seen = new Set(['base']);
    for (const r of recipes) {
      expect(seen.has(r.parent), `${r.id} builds from ${r.parent}`).toBe(true);
      seen.add(r.id);
      expect(existsSync(path.join(TEMPLATES, r.dockerfile)), r.dockerfile).toBe(true);
      for (const source of Object.values(r.files)) expect(existsSync(path.join(TEMPLATES, source)), source).toBe(true);
      expect(readFileSync(path.join(TEMPLATES, r.dockerfile), 'utf8')).toContain(`ARG ${r.fromArg}`);
    }
  });

  it('refuse a catalogue service that has neither a Debian build nor a stand-in', () => {
    const unknown = { ...CATALOG[0], id: 'plex', placement: { kind: 'compose', file: 'apps' }, image: { repository: 'plexinc/pms-docker', tag: '1.41' } } as (typeof CATALOG)[number];
    expect(() => imageRecipes([unknown])).toThrow(/no sandbox image for catalogue service plex/);
  });

  it('publish at the path the images.registry rewrite and Docker Hub mirroring look for', () => {
    expect(registryPath('caddy:2.10.2-alpine', '127.0.0.1:5000')).toBe('127.0.0.1:5000/library/caddy:2.10.2-alpine');
    expect(registryPath('grafana/grafana:12.3.2', 'sandbox-registry:5000')).toBe('sandbox-registry:5000/grafana/grafana:12.3.2');
    expect(registryPath('docker.n8n.io/n8nio/n8n:2.7.3', 'sandbox-registry:5000')).toBe('sandbox-registry:5000/n8nio/n8n:2.7.3');
    for (const e of CATALOG.filter((x) => x.image)) {
      expect(registryPath(`${e.image?.repository}:${e.image?.tag}`, 'r:5000')).toBe(rewriteImage(e.image?.repository ?? '', e.image?.tag ?? '', 'r:5000'));
    }
  });
});

describe('weekKey', () => {
  it('gives the ISO week, so the base root file system is rebuilt weekly', () => {
    expect(weekKey(new Date(Date.UTC(2026, 10, 25)))).toBe('2026-w48');
    expect(weekKey(new Date(Date.UTC(2027, 0, 1)))).toBe('2026-w53');
    expect(weekKey(new Date(Date.UTC(2025, 11, 29)))).toBe('2026-w01');
  });
});

describe('recipeHash', () => {
  it('changes with the parent, the build arguments and the files, so a changed recipe rebuilds', async () => {
    const [n8n, litellm] = ['n8n', 'litellm'].map((id) => imageRecipes().find((r) => r.id === id)) as [ReturnType<typeof imageRecipes>[number], ReturnType<typeof imageRecipes>[number]];
    const base = await recipeHash(n8n, 'parent-a');
    expect(await recipeHash(n8n, 'parent-a')).toBe(base);
    expect(await recipeHash(n8n, 'parent-b')).not.toBe(base);
    expect(await recipeHash(litellm, 'parent-a')).not.toBe(base);
    expect(await recipeHash({ ...n8n, files: { 'x.py': 'stand-in/stand-in-server.py' } }, 'parent-a')).not.toBe(base);
  });
});
