import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOvh } from '../fakes/fake-ovh.js';
import { AcmeBed } from './helpers/acme-bed.js';

/**
 * The ACME test bed proven with the real clients, on loopback only: Debian's lego (4.9.1) gets
 * certificates from Pebble by DNS-01 through the fake OVH API and by HTTP-01, and renews one.
 * Sandbox e2e tests use the same bed on the bed network's gateway.
 */
const LEGO = '/usr/bin/lego';
const ADDRESS = '127.0.0.1';
const LEGO_TIMEOUT_MS = 90_000;
const runFile = promisify(execFile);

let ovh: FakeOvh;
let bed: AcmeBed;
let work: string;
let roots: string;
let consumerKey: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'hlw-acme-bed-test-'));
  ovh = new FakeOvh({ address: ADDRESS });
  await ovh.start();
  ovh.addZone('example.com', [{ fieldType: 'A', subDomain: '', target: '203.0.113.10', ttl: 0 }]);
  consumerKey = ovh.addConsumer();
  bed = new AcmeBed({ address: ADDRESS, ovh, dir: work });
  await bed.start();
  roots = path.join(work, 'roots.pem');
  await bed.writeRoots(roots);
  // lego's propagation check dials the zone's NS (ns1.example.com) by name through the system
  // resolver, not --dns.resolvers: lego runs with an /etc/hosts that names it (bed.dns.hostsLines()).
  await writeFile(path.join(work, 'hosts'), `${await readFile('/etc/hosts', 'utf8')}\n${bed.dns.hostsLines()}`);
});

afterAll(async () => {
  await bed?.stop();
  await ovh?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface LegoRun {
  code: number | null;
  output: string;
}

/**
 * lego in a private mount namespace whose /etc/hosts names the bed's nameserver (nothing outside the
 * process sees it); credentials only in its environment, never in argv.
 */
function lego(args: readonly string[], env: Record<string, string>): Promise<LegoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', path.join(work, 'hosts'), LEGO, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work, LEGO_CA_CERTIFICATES: roots, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      output += `\n[test: lego killed after ${LEGO_TIMEOUT_MS / 1000} s]`;
      child.kill('SIGKILL');
    }, LEGO_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const ovhEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
  OVH_ENDPOINT: ovh.endpoint,
  OVH_APPLICATION_KEY: ovh.appKey,
  OVH_APPLICATION_SECRET: ovh.appSecret,
  OVH_CONSUMER_KEY: consumerKey,
  ...overrides,
});

const common = (dir: string): string[] => ['--server', bed.directoryUrl, '--accept-tos', '--email', 'admin@example.com', '--path', dir];

/** The leaf and the rest of lego's bundle, from <path>/certificates/<domain>.crt. */
async function issued(dir: string, domain: string): Promise<{ leaf: X509Certificate; leafFile: string; bundleFile: string }> {
  const bundleFile = path.join(dir, 'certificates', `${domain}.crt`);
  const pem = await readFile(bundleFile, 'utf8');
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(pem)?.[0];
  if (!first) throw new Error(`no certificate in ${bundleFile}`);
  const leafFile = path.join(dir, `${domain}.leaf.pem`);
  await writeFile(leafFile, first);
  return { leaf: new X509Certificate(first), leafFile, bundleFile };
}

/** `openssl verify` of the leaf against the given trust anchors, with lego's bundle as untrusted intermediates. */
async function verifies(caFile: string, leafFile: string, bundleFile: string): Promise<boolean> {
  try {
    await runFile('openssl', ['verify', '-CAfile', caFile, '-untrusted', bundleFile, '-purpose', 'sslserver', leafFile]);
    return true;
  } catch {
    return false;
  }
}

describe('ACME test bed (Pebble + bed DNS + fake OVH) with the real lego', () => {
  it('DNS-01 through the fake OVH: a certificate whose chain verifies against rootsPem(); the TXT record is created, published and removed', async () => {
    const dir = path.join(work, 'dns01');
    const run = await lego([...common(dir), '--dns', 'ovh', '--dns.resolvers', `${ADDRESS}:53`, '--domains', 'vpn-only.example.com', 'run'], ovhEnv());
    expect(run.code, `${run.output}\n--- pebble:\n${bed.outputTail()}`).toBe(0);
    const { leaf, leafFile, bundleFile } = await issued(dir, 'vpn-only.example.com');
    expect(leaf.checkHost('vpn-only.example.com')).toBe('vpn-only.example.com');
    expect(await verifies(roots, leafFile, bundleFile)).toBe(true);
    // Only Pebble's roots make it valid: the listener's CA alone does not.
    const listenerOnly = path.join(work, 'listener-ca.pem');
    await writeFile(listenerOnly, bed.listenerCaPem);
    expect(await verifies(listenerOnly, leafFile, bundleFile)).toBe(false);
    // Created, published by a refresh (Pebble read it from the bed DNS), deleted and refreshed again.
    const calls = ovh.requests.map((r) => r.replace(/\/record\/\d+$/, '/record/ID'));
    expect(calls).toEqual(expect.arrayContaining([
      'POST /1.0/domain/zone/example.com/record', 'POST /1.0/domain/zone/example.com/refresh', 'DELETE /1.0/domain/zone/example.com/record/ID',
    ]));
    expect(calls.lastIndexOf('POST /1.0/domain/zone/example.com/refresh')).toBeGreaterThan(calls.indexOf('DELETE /1.0/domain/zone/example.com/record/ID'));
    expect(bed.dns.log).toContainEqual(expect.stringMatching(/^TXT _acme-challenge\.vpn-only\.example\.com → NOERROR \(1 answers\)/i));
    expect(ovh.published('example.com').filter((r) => r.fieldType === 'TXT')).toEqual([]);
    expect(ovh.staged('example.com').filter((r) => r.fieldType === 'TXT')).toEqual([]);
  });

  it('DNS-01 with a wrong application secret fails, and lego names the OVH error', async () => {
    const dir = path.join(work, 'dns01-bad-secret');
    const published = ovh.published('example.com');
    const run = await lego([...common(dir), '--dns', 'ovh', '--dns.resolvers', `${ADDRESS}:53`, '--domains', 'bad.example.com', 'run'],
      ovhEnv({ OVH_APPLICATION_SECRET: 'not-the-application-secret' }));
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('acme: error presenting token: ovh: error when call api to add record (/domain/zone/example.com/record): Error 400: "Invalid signature"');
    expect(ovh.published('example.com')).toEqual(published);
  });

  it('DNS-01 with an unknown consumer key fails with OVH\'s "This credential does not exist"', async () => {
    const dir = path.join(work, 'dns01-bad-consumer');
    const run = await lego([...common(dir), '--dns', 'ovh', '--dns.resolvers', `${ADDRESS}:53`, '--domains', 'bad.example.com', 'run'],
      ovhEnv({ OVH_CONSUMER_KEY: 'not-a-consumer-key' }));
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('Error 403: "This credential does not exist"');
  });

  it('HTTP-01: Pebble fetches the token from the name pointAt() published', async () => {
    bed.pointAt('example.com', 'web', ADDRESS);
    const dir = path.join(work, 'http01');
    const run = await lego([...common(dir), '--http', '--http.port', `${ADDRESS}:80`, '--domains', 'web.example.com', 'run'], {});
    expect(run.code, `${run.output}\n--- pebble:\n${bed.outputTail()}`).toBe(0);
    const { leaf, leafFile, bundleFile } = await issued(dir, 'web.example.com');
    expect(leaf.checkHost('web.example.com')).toBe('web.example.com');
    expect(await verifies(roots, leafFile, bundleFile)).toBe(true);
    expect(bed.dns.log).toContainEqual(expect.stringMatching(/^A web\.example\.com → NOERROR \(1 answers\)/i));

    // A forced renewal gives a new certificate (another serial) for the same name.
    const renewed = await lego([...common(dir), '--http', '--http.port', `${ADDRESS}:80`, '--domains', 'web.example.com', 'renew', '--days', '100000', '--no-random-sleep'], {});
    expect(renewed.code, `${renewed.output}\n--- pebble:\n${bed.outputTail()}`).toBe(0);
    const again = await issued(dir, 'web.example.com');
    expect(again.leaf.serialNumber).not.toBe(leaf.serialNumber);
    expect(await verifies(roots, again.leafFile, again.bundleFile)).toBe(true);
  });
});
