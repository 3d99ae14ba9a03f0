import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog/catalog.js';
import type { ServiceEntry } from '../../src/catalog/types.js';
import { LABEL, LABEL_BED, LABEL_ORIGIN } from '../../src/sandbox/labels.js';
import { LITELLM_COMMAND, LITELLM_CONFIG_PATH, renderLitellmConfig } from '../../src/render/litellm-config.js';
import { OPENCLAW_CONFIG_PATH, openclawConfig, renderOpenclawConfig } from '../../src/render/openclaw-config.js';
import { QDRANT_CONFIG_TARGET, renderQdrantConfig } from '../../src/render/qdrant-config.js';
import { openclawSchema } from '../../src/profile/openclaw-schema.js';
import { litellmSchema } from '../../src/profile/litellm-schema.js';
import { registryPath } from '../../src/sandbox/recipes.js';
import { TestBed } from './helpers/test-bed.js';

/**
 * Every compose service of the catalogue has an image in the local registry, under the path the
 * `images.registry` rewrite asks for, and it passes the catalogue's own health check and answers
 * its smoke endpoints: real Debian builds for Caddy, PostgreSQL and Redis, stand-ins for the rest.
 */
const bed = new TestBed('images');
const services = CATALOG.filter((e) => e.placement.kind === 'compose');
/** Smoke endpoints that the tool's own configuration defines (Caddy's /health is a route of the rendered Caddyfile), not the image. */
const CONFIG_DEFINED = new Set(['caddy.health']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Env a service needs to start at all (PostgreSQL refuses to initialise without a password). */
const ENV: Record<string, string[]> = {
  postgresql: ['POSTGRES_PASSWORD=sandbox-test-only', 'POSTGRES_USER=app', 'POSTGRES_DB=app'],
  litellm: ['LITELLM_MASTER_KEY=sk-sandbox-test-only'],
  // openclaw.json reads both from the environment; OpenClaw stops when either is unset.
  openclaw: ['OPENCLAW_GATEWAY_TOKEN=sandbox-test-only', 'LITELLM_API_KEY=sk-sandbox-test-only'],
};

/** LiteLLM's strict stand-in starts only from a config file: one model, as the tool renders it, mounted where compose mounts it. */
const LITELLM_CONFIG = path.join(mkdtempSync(path.join(tmpdir(), 'hlw-images-litellm-')), 'config.yaml');
writeFileSync(LITELLM_CONFIG, renderLitellmConfig(litellmSchema.parse({ models: [{ alias: 'mini', provider: 'openai', model: 'gpt-4o-mini' }] })));
/** Qdrant's strict stand-in refuses to start without its config file, as the tool renders and mounts it. */
const QDRANT_CONFIG = path.join(mkdtempSync(path.join(tmpdir(), 'hlw-images-qdrant-')), 'production.yaml');
writeFileSync(QDRANT_CONFIG, renderQdrantConfig());
/** OpenClaw's strict stand-in starts only from an openclaw.json its schema accepts, as the tool renders and mounts it. */
const OPENCLAW_INPUT = { settings: openclawSchema.parse({}), litellm: litellmSchema.parse({ models: [{ alias: 'mini', provider: 'openai', model: 'gpt-4o-mini' }] }), project: 'images', site: 'admin.example.com', telegram: false, braveSearch: false };
const OPENCLAW_DIR = mkdtempSync(path.join(tmpdir(), 'hlw-images-openclaw-'));
const OPENCLAW_CONFIG = path.join(OPENCLAW_DIR, 'openclaw.json');
writeFileSync(OPENCLAW_CONFIG, renderOpenclawConfig(OPENCLAW_INPUT));
const MOUNTS: Record<string, string[]> = {
  openclaw: ['-v', `${OPENCLAW_CONFIG}:${OPENCLAW_CONFIG_PATH}:ro`],
  litellm: ['-v', `${LITELLM_CONFIG}:${LITELLM_CONFIG_PATH}:ro`],
  qdrant: ['-v', `${QDRANT_CONFIG}:${QDRANT_CONFIG_TARGET}:ro`],
};
const COMMAND: Record<string, readonly string[]> = { litellm: LITELLM_COMMAND };

/** NocoDB's strict stand-in starts only after logging in to PostgreSQL with NC_DB: one database for it, started on first use. */
const NOCODB_DB_PASSWORD = 'sandbox-test-only-nocodb';
let nocodbDatabase: Promise<string> | undefined;
function nocodbDb(): Promise<string> {
  nocodbDatabase ??= (async () => {
    const postgres = services.find((s) => s.id === 'postgresql') as ServiceEntry;
    const { container, address } = await runService(postgres, `${bed.spec.name}-nocodb-db`, [`POSTGRES_PASSWORD=${NOCODB_DB_PASSWORD}`, 'POSTGRES_USER=nocodb', 'POSTGRES_DB=nocodb']);
    // Over TCP: the image's first-start server listens on its socket only, the final one on TCP too.
    await bed.docker.run(['exec', '-e', `PGPASSWORD=${NOCODB_DB_PASSWORD}`, container, 'sh', '-c', 'until psql -h 127.0.0.1 -U nocodb -d nocodb -tAc "select 1" >/dev/null 2>&1; do sleep 0.5; done'], { timeoutMs: 60_000 });
    return address;
  })();
  return nocodbDatabase;
}
async function nocodbEnv(password = NOCODB_DB_PASSWORD): Promise<string[]> {
  return [`NC_DB=pg://${await nocodbDb()}:5432?u=nocodb&p=${encodeURIComponent(password)}&d=nocodb`, 'NC_AUTH_JWT_SECRET=sandbox-test-only-jwt'];
}

async function runService(entry: ServiceEntry, name = `${bed.spec.name}-${entry.id}`, env = ENV[entry.id] ?? []): Promise<{ container: string; address: string }> {
  const image = registryPath(`${entry.image?.repository}:${entry.image?.tag}`, `127.0.0.1:${bed.registryPort}`);
  await bed.docker.run(['pull', '-q', image]);
  const container = name;
  const extra = entry.id === 'nocodb' && env.length === 0 ? await nocodbEnv() : env;
  await bed.docker.run([
    'run', '-d', '--name', container, '--network', bed.network,
    '--label', `${LABEL}=1`, '--label', `${LABEL_BED}=${bed.spec.name}`, '--label', `${LABEL_ORIGIN}=test`,
    ...extra.flatMap((e) => ['-e', e]), ...(MOUNTS[entry.id] ?? []), image, ...(COMMAND[entry.id] ?? []),
  ]);
  const address = await bed.docker.out(['inspect', '-f', `{{(index .NetworkSettings.Networks "${bed.network}").IPAddress}}`, container]);
  return { container, address };
}

/** The catalogue's health check, run the way Docker runs it (CMD → argv, CMD-SHELL → /bin/sh -c). */
async function healthy(container: string, entry: ServiceEntry): Promise<{ ok: boolean; output: string }> {
  const test = entry.health?.test ?? [];
  const argv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1] ?? ''] : test.slice(1);
  let last = { code: 1, stdout: '', stderr: '' };
  for (let i = 0; i < 60; i += 1) {
    last = await bed.docker.run(['exec', container, ...argv], { allowFail: true, timeoutMs: 15_000 });
    if (last.code === 0) return { ok: true, output: last.stdout };
    await sleep(500);
  }
  return { ok: false, output: `${last.stdout}${last.stderr}` };
}

beforeAll(async () => {
  await bed.setUp();
});

afterAll(async () => {
  const ids = (await bed.docker.out(['ps', '-aq', '--filter', `label=${LABEL_BED}=${bed.spec.name}`])).split('\n').filter(Boolean);
  if (ids.length > 0) await bed.docker.run(['rm', '-f', '-v', ...ids]);
  await bed.tearDown();
  expect(await bed.leftovers()).toEqual([]);
});

describe('stack images in the local registry', () => {
  it.each(services.map((s) => [s.id, s] as const))('%s passes its catalogue health check and smoke endpoints', async (_id, entry) => {
    const { container, address } = await runService(entry);
    try {
      const health = await healthy(container, entry);
      expect(health, `health check of ${entry.id}: ${health.output}`).toMatchObject({ ok: true });
      for (const smoke of entry.smoke) {
        if (CONFIG_DEFINED.has(smoke.id)) continue;
        if (smoke.kind === 'http') {
          const port = entry.site?.upstreamPort ?? entry.ports[0]?.container;
          const response = await fetch(`http://${address}:${port}${smoke.path}`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
          expect(smoke.expectStatus, `${smoke.id}: GET ${smoke.path} → ${response.status}`).toContain(response.status);
        } else if (smoke.kind === 'command') {
          const out = await bed.docker.out(['exec', container, ...smoke.argv]);
          expect(out).toContain(smoke.expect);
        }
      }
    } finally {
      await bed.docker.run(['rm', '-f', '-v', container], { allowFail: true });
    }
  });

  it('runs Caddy from Debian with the official image layout: the default site on :80, data under /data', async () => {
    const caddy = services.find((s) => s.id === 'caddy') as ServiceEntry;
    const { container, address } = await runService(caddy);
    try {
      expect((await healthy(container, caddy)).ok).toBe(true);
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i += 1) {
        status = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
        if (status !== 200) await sleep(250);
      }
      expect(status).toBe(200);
      expect(await bed.docker.out(['exec', container, 'sh', '-c', 'echo $XDG_DATA_HOME $XDG_CONFIG_HOME'])).toBe('/data /config');
    } finally {
      await bed.docker.run(['rm', '-f', '-v', container], { allowFail: true });
    }
  });

  it('builds stand-ins without the tools the real images lack, so a wrong health check fails here too', async () => {
    const litellm = services.find((s) => s.id === 'litellm') as ServiceEntry;
    const { container } = await runService(litellm);
    try {
      const curl = await bed.docker.run(['exec', container, 'sh', '-c', 'command -v curl || command -v wget'], { allowFail: true });
      expect(curl.code).not.toBe(0);
      const label = await bed.docker.out(['inspect', '-f', '{{index .Config.Labels "org.homelab-wizard.stand-in"}}', container]);
      expect(label).toBe('litellm');
    } finally {
      await bed.docker.run(['rm', '-f', '-v', container], { allowFail: true });
    }
  });

  it('runs the LiteLLM stand-in only from a config: without --config it exits and says why', async () => {
    const litellm = services.find((s) => s.id === 'litellm') as ServiceEntry;
    const image = registryPath(`${litellm.image?.repository}:${litellm.image?.tag}`, `127.0.0.1:${bed.registryPort}`);
    const r = await bed.docker.run(['run', '--rm', '--label', `${LABEL}=1`, '--label', `${LABEL_BED}=${bed.spec.name}`, '--label', `${LABEL_ORIGIN}=test`, image, '--port', '4000'], { allowFail: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/litellm stand-in: refusing to start: no --config FILE given/);
    const { container, address } = await runService(litellm);
    try {
      expect((await healthy(container, litellm)).ok).toBe(true);
      const listed = await fetch(`http://${address}:4000/v1/models`, { headers: { Authorization: 'Bearer sk-sandbox-test-only' }, signal: AbortSignal.timeout(5000) });
      expect(((await listed.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(['mini']);
    } finally {
      await bed.docker.run(['rm', '-f', '-v', container], { allowFail: true });
    }
  });

  it('runs the NocoDB stand-in only after a PostgreSQL login with NC_DB: a refused password or no NC_DB exits and says why', async () => {
    const nocodb = services.find((s) => s.id === 'nocodb') as ServiceEntry;
    const image = registryPath(`${nocodb.image?.repository}:${nocodb.image?.tag}`, `127.0.0.1:${bed.registryPort}`);
    const labels = ['--label', `${LABEL}=1`, '--label', `${LABEL_BED}=${bed.spec.name}`, '--label', `${LABEL_ORIGIN}=test`];
    const none = await bed.docker.run(['run', '--rm', ...labels, image], { allowFail: true });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/nocodb stand-in: refusing to start: NC_DB is not set/);
    const wrongEnv = (await nocodbEnv('not-the-password')).flatMap((e) => ['-e', e]);
    const wrong = await bed.docker.run(['run', '--rm', '--network', bed.network, ...labels, ...wrongEnv, image], { allowFail: true, timeoutMs: 90_000 });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/nocodb stand-in: refusing to start: cannot connect to the database of NC_DB \(nocodb@[0-9.]+:5432\/nocodb\): .*password authentication failed for user "nocodb"/);
    expect(wrong.stderr).not.toContain('not-the-password');
    // The storage probe of smoke nocodb.storage runs with the image's node, as in the real image.
    const { container } = await runService(nocodb);
    try {
      expect((await healthy(container, nocodb)).ok).toBe(true);
      expect(await bed.docker.out(['exec', container, 'node', '-e', 'console.log(typeof require("crypto").createHmac)'])).toBe('function');
    } finally {
      await bed.docker.run(['rm', '-f', '-v', container], { allowFail: true });
    }
  });

  it("runs the OpenClaw stand-in only from a config its schema accepts: without one, or with an unknown key, it exits with OpenClaw's message", async () => {
    const openclaw = services.find((s) => s.id === 'openclaw') as ServiceEntry;
    const image = registryPath(`${openclaw.image?.repository}:${openclaw.image?.tag}`, `127.0.0.1:${bed.registryPort}`);
    const labels = ['--label', `${LABEL}=1`, '--label', `${LABEL_BED}=${bed.spec.name}`, '--label', `${LABEL_ORIGIN}=test`];
    const env = (ENV['openclaw'] ?? []).flatMap((e) => ['-e', e]);
    const none = await bed.docker.run(['run', '--rm', ...labels, ...env, image], { allowFail: true });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^Gateway failed to start: Missing config\. Run `openclaw setup`/);
    const broken = path.join(OPENCLAW_DIR, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...openclawConfig(OPENCLAW_INPUT), heartbeat: { every: '30m' } }));
    const unknown = await bed.docker.run(['run', '--rm', ...labels, ...env, '-v', `${broken}:${OPENCLAW_CONFIG_PATH}:ro`, image], { allowFail: true });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`Invalid config at ${OPENCLAW_CONFIG_PATH}:\n- <root>: Unrecognized key: "heartbeat"`);
  });

  it('runs PostgreSQL with the official image\'s environment: user, database, password login over TCP', async () => {
    const postgres = services.find((s) => s.id === 'postgresql') as ServiceEntry;
    const { container } = await runService(postgres);
    try {
      expect((await healthy(container, postgres)).ok).toBe(true);
      let out = '';
      for (let i = 0; i < 40; i += 1) {
        const r = await bed.docker.run(['exec', '-e', 'PGPASSWORD=sandbox-test-only', container, 'psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-tAc', 'select current_user, current_database()'], { allowFail: true });
        out = r.stdout.trim();
        if (r.code === 0) break;
        await sleep(500);
      }
      expect(out).toBe('app|app');
      const wrong = await bed.docker.run(['exec', '-e', 'PGPASSWORD=wrong', container, 'psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-c', 'select 1'], { allowFail: true });
      expect(wrong.stderr).toMatch(/password authentication failed/);
    } finally {
      await bed.docker.run(['rm', '-f', '-v', container], { allowFail: true });
    }
  });
});
