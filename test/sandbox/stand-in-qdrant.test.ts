import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qdrantConfig, renderQdrantConfig } from '../../src/render/qdrant-config.js';
import { QDRANT_COLLECTIONS } from '../../src/remote/generated-scripts.js';
import { stopProcess, untilAnswers } from '../helpers/stand-in-process.js';
import { freePort } from '../helpers/sshd.js';
import { ensureCommands } from '../helpers/system-packages.js';
import { REPO } from '../helpers/profiles.js';

/**
 * The Qdrant STAND-IN (templates/sandbox/stand-ins/qdrant) on this machine's python3, started as
 * the image starts it (cwd /qdrant there, RUN_MODE=production → config/production.yaml): it
 * refuses the configurations Qdrant refuses, requires the API key, and serves the collections API
 * the deploy step and the smoke check use. Then src/remote/qdrant-collections.sh, the step's own
 * script (raw HTTP over bash's /dev/tcp), against it.
 */
const STAND_IN = path.join(REPO, 'templates/sandbox/stand-ins/qdrant');
const KEY = 'k3y-0f-the-test';
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-qdrant-stand-in-'));
let port = 0;
let grpc = 0;
let server: ChildProcess | undefined;


/** The tool's own rendered config, with this test's folder and ports. */
function toolConfig(): string {
  const c = qdrantConfig();
  return renderQdrantConfig({
    ...c,
    storage: { ...c.storage, storage_path: path.join(dir, 'storage'), snapshots_path: path.join(dir, 'snapshots') },
    service: { ...c.service, host: '127.0.0.1', http_port: port, grpc_port: grpc },
  });
}

function writeConfig(text: string): void {
  mkdirSync(path.join(dir, 'config'), { recursive: true });
  writeFileSync(path.join(dir, 'config', 'production.yaml'), text);
}

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, RUN_MODE: 'production', QDRANT__SERVICE__API_KEY: KEY, ...extra });

/** A start that must fail: its exit code and what it printed. */
function refused(extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('python3', [STAND_IN], { cwd: dir, env: env(extra), timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function start(): Promise<void> {
  server = spawn('python3', [STAND_IN], { cwd: dir, env: env(), stdio: 'ignore' });
  await untilAnswers(`http://127.0.0.1:${port}/readyz`, 'the qdrant stand-in');
}

async function stop(): Promise<void> {
  const s = server;
  server = undefined;
  await stopProcess(s);
}

async function call(method: string, p: string, options: { key?: string | null; body?: unknown; bearer?: boolean } = {}): Promise<{ status: number; text: string }> {
  const key = options.key === undefined ? KEY : options.key;
  const headers: Record<string, string> = {};
  if (key !== null) headers[options.bearer ? 'authorization' : 'api-key'] = options.bearer ? `Bearer ${key}` : key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`http://127.0.0.1:${port}${p}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  return { status: r.status, text: await r.text() };
}

/** src/remote/qdrant-collections.sh, as the step runs it in the container (here: this machine's sh and bash). */
function script(apiKey: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('sh', ['-c', QDRANT_COLLECTIONS, 'qdrant-collections', String(port), ...args], { env: { PATH: process.env['PATH'] ?? '', QDRANT__SERVICE__API_KEY: apiKey }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, out: r.stdout.trim(), err: r.stderr.trim() };
}

beforeAll(async () => {
  ensureCommands({ python3: 'python3', bash: 'bash' });
  if (spawnSync('python3', ['-c', 'import yaml']).status !== 0) throw new Error('python3 has no yaml module: install the Debian package python3-yaml');
  port = await freePort();
  grpc = await freePort();
});

afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Qdrant stand-in: start-up, as Qdrant 1.16 (`Settings::new(...)?` in main: "Error: …", exit 1)', { timeout: 30_000 }, () => {
  it('refuses to start without config/production.yaml (stricter than Qdrant, which runs on the one in its image: L-B9)', async () => {
    const r = await refused();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Error: configuration file config\/production\.yaml not found/);
  });

  it('refuses a file that is not YAML', async () => {
    writeConfig('storage:\n  storage_path: [unclosed\n');
    const r = await refused();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Error: config\/production\.yaml: /);
  });

  it('refuses known keys of the wrong type, naming the key, in the file or in QDRANT__ variables', async () => {
    writeConfig('service:\n  http_port: abc\n');
    expect(await refused()).toEqual({ code: 1, out: 'Error: invalid type: string "abc", expected an integer for key `service.http_port` in config/production.yaml\n' });
    writeConfig('storage:\n  hnsw_index:\n    m: [16]\n');
    expect((await refused()).out).toBe('Error: invalid type: sequence, expected usize for key `storage.hnsw_index.m` in config/production.yaml\n');
    writeConfig('service:\n  http_port: 70000\n');
    expect((await refused()).out).toBe('Error: invalid value: integer `70000`, expected u16 for key `service.http_port` in config/production.yaml\n');
    writeConfig('storage: /qdrant/storage\n');
    expect((await refused()).out).toBe('Error: invalid type: string "/qdrant/storage", expected a map for key `storage` in config/production.yaml\n');
    writeConfig(toolConfig());
    expect((await refused({ QDRANT__STORAGE__OPTIMIZERS__DEFAULT_SEGMENT_NUMBER: 'two' })).out).toBe('Error: invalid type: string "two", expected an integer for key `storage.optimizers.default_segment_number`\n');
  });

  it('refuses full_scan_threshold beside the built-in full_scan_threshold_kb (serde: duplicate field)', async () => {
    writeConfig(toolConfig().replace('full_scan_threshold_kb', 'full_scan_threshold'));
    expect(await refused()).toEqual({ code: 1, out: 'Error: duplicate field `full_scan_threshold`\n' });
  });
});

describe('Qdrant stand-in: the API, on the config the tool renders', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    writeConfig(toolConfig());
    await start();
  });

  it('requires the API key on every call but the health endpoints, answering 401 as Qdrant does', async () => {
    expect(await call('GET', '/collections', { key: null })).toEqual({ status: 401, text: 'Must provide an API key or an Authorization bearer token' });
    expect(await call('GET', '/collections', { key: 'wrong' })).toEqual({ status: 401, text: 'Invalid API key or JWT' });
    expect(await call('PUT', '/collections/x', { key: null, body: { vectors: { size: 4, distance: 'Dot' } } })).toMatchObject({ status: 401 });
    expect((await call('GET', '/collections', { bearer: true })).status).toBe(200);
    for (const open of ['/readyz', '/healthz', '/livez', '/']) expect((await call('GET', open, { key: null })).status, open).toBe(200);
  });

  it('creates a collection once (409 for an existing one), validates size and distance, and answers in Qdrant\'s JSON shape', async () => {
    expect(await call('GET', '/collections/semantic_cache')).toEqual({ status: 404, text: '{"status":{"error":"Not found: Collection `semantic_cache` doesn\'t exist!"},"time":0.0}' });
    const created = await call('PUT', '/collections/semantic_cache', { body: { vectors: { size: 1536, distance: 'Cosine' } } });
    expect(created.status).toBe(200);
    expect(JSON.parse(created.text)).toMatchObject({ result: true, status: 'ok' });
    expect(await call('PUT', '/collections/semantic_cache', { body: { vectors: { size: 1536, distance: 'Cosine' } } })).toEqual({ status: 409, text: '{"status":{"error":"Wrong input: Collection `semantic_cache` already exists!"},"time":0.0}' });
    const info = JSON.parse((await call('GET', '/collections/semantic_cache')).text) as { result: { status: string; config: { params: { vectors: unknown } } } };
    expect(info.result.status).toBe('green');
    expect(info.result.config.params.vectors).toEqual({ size: 1536, distance: 'Cosine' });
    expect((await call('PUT', '/collections/bad', { body: { vectors: { size: 0, distance: 'Cosine' } } })).status).toBe(400);
    expect(await call('PUT', '/collections/bad', { body: { vectors: { size: 70000, distance: 'Cosine' } } })).toEqual({ status: 422, text: '{"status":{"error":"Validation error in JSON body: [vectors.size: value 70000 invalid, must be from 1 to 65536]"},"time":0.0}' });
    expect((await call('PUT', '/collections/bad', { body: { vectors: { size: 4, distance: 'cosine' } } })).text).toContain('unknown variant `cosine`, expected one of `Cosine`, `Euclid`, `Dot`, `Manhattan`');
    expect((await call('PUT', '/collections/a%3Ab', { body: { vectors: { size: 4, distance: 'Dot' } } })).status).toBe(422);
    expect(JSON.parse((await call('GET', '/collections')).text)).toMatchObject({ result: { collections: [{ name: 'semantic_cache' }] } });
  });

  it('keeps collections across a restart (they live in its storage folder)', async () => {
    await stop();
    await start();
    expect(JSON.parse((await call('GET', '/collections/semantic_cache')).text)).toMatchObject({ result: { config: { params: { vectors: { size: 1536, distance: 'Cosine' } } } } });
  });

  it('src/remote/qdrant-collections.sh: check lists what is missing, apply creates it, a second check passes', () => {
    const specs = ['semantic_cache:1536:Cosine', 'content_index:1536:Cosine', 'small:8:Euclid'];
    expect(script(KEY, 'check', ...specs)).toEqual({ code: 1, out: 'content_index: missing (wanted 1536 dimensions, Cosine)\nsmall: missing (wanted 8 dimensions, Euclid)', err: '' });
    expect(script(KEY, 'apply', ...specs)).toEqual({ code: 0, out: 'created content_index (1536 dimensions, Cosine)\ncreated small (8 dimensions, Euclid)', err: '' });
    expect(script(KEY, 'check', ...specs)).toEqual({ code: 0, out: 'present: semantic_cache (1536, Cosine) content_index (1536, Cosine) small (8, Euclid)', err: '' });
    expect(script(KEY, 'apply', ...specs)).toEqual({ code: 0, out: '', err: '' });
  });

  it('src/remote/qdrant-collections.sh: a collection with other dimensions is an error naming it, and nothing is created or deleted', async () => {
    const r = script(KEY, 'apply', 'semantic_cache:768:Cosine', 'later:4:Dot');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^semantic_cache: exists with 1536 dimensions, Cosine; the profile wants 768 dimensions, Cosine\nhomelab-wizard never changes or deletes a collection/);
    expect((await call('GET', '/collections/later')).status).toBe(404);
    expect(JSON.parse((await call('GET', '/collections/semantic_cache')).text)).toMatchObject({ result: { config: { params: { vectors: { size: 1536 } } } } });
    expect(script(KEY, 'check', 'semantic_cache:1536:Dot')).toMatchObject({ code: 1, out: 'semantic_cache: exists with 1536 dimensions, Cosine; the profile wants 1536 dimensions, Dot' });
  });

  it('src/remote/qdrant-collections.sh: a refused key or no Qdrant is exit 4 with the reason, never the key', () => {
    const r = script('not-the-key', 'check', 'semantic_cache:1536:Cosine');
    expect(r.code).toBe(4);
    expect(r.err).toBe('Qdrant refused the request for collection semantic_cache (401: Invalid API key or JWT): the API key in its environment is not the one it runs with');
    expect(`${r.out}${r.err}`).not.toContain('not-the-key');
  });
});
