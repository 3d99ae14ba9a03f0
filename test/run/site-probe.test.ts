import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSite } from '../../src/run/site-probe.js';
import { ensureCommands } from '../helpers/system-packages.js';

/**
 * The operator-side site check against a real HTTPS server on loopback: a CA made for the test
 * (as Caddy's internal one), a certificate for n8n.example.com, the name sent as SNI and Host.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-site-probe-'));
const file = (name: string): string => path.join(dir, name);
let server: Server;
let port = 0;
let ca = '';
let otherCa = '';
const seen: { host?: string; servername?: string }[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`));
}

beforeAll(async () => {
  ensureCommands({ openssl: 'openssl' });
  makeCa('stand-in-root');
  makeCa('other-root');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=n8n.example.com', '-keyout', file('leaf.key'), '-out', file('leaf.csr'));
  writeFileSync(file('ext'), 'subjectAltName=DNS:n8n.example.com\n');
  openssl('x509', '-req', '-in', file('leaf.csr'), '-CA', file('stand-in-root.crt'), '-CAkey', file('stand-in-root.key'), '-CAcreateserial', '-days', '1', '-extfile', file('ext'), '-out', file('leaf.crt'));
  ca = readFileSync(file('stand-in-root.crt'), 'utf8');
  otherCa = readFileSync(file('other-root.crt'), 'utf8');
  server = createServer({ key: readFileSync(file('leaf.key')), cert: readFileSync(file('leaf.crt')) }, (req, res) => {
    seen.push({ host: req.headers.host, servername: (req.socket as import('node:tls').TLSSocket & { servername?: string }).servername || undefined });
    res.statusCode = req.url === '/healthz' ? 200 : 403;
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('fetchSite', () => {
  it("connects to the address, sends the site's name as SNI and Host, and trusts the pinned root", async () => {
    const out = await fetchSite({ address: '127.0.0.1', port, name: 'n8n.example.com', path: '/healthz', ca });
    expect(out).toMatchObject({ kind: 'response', status: 200 });
    expect(out.kind === 'response' && out.cert ? Date.parse(out.cert.validTo) - Date.parse(out.cert.validFrom) : 0).toBe(24 * 60 * 60 * 1000);
    expect(seen.at(-1)).toEqual({ host: 'n8n.example.com', servername: 'n8n.example.com' });
    expect(await fetchSite({ address: '127.0.0.1', port, name: 'n8n.example.com', path: '/', ca })).toMatchObject({ kind: 'response', status: 403 });
  });

  it('fails, never falls back, on a certificate from another root, the system roots, or another name', async () => {
    for (const req of [
      { name: 'n8n.example.com', ca: otherCa },
      { name: 'n8n.example.com' },
      { name: 'grafana.example.com', ca },
    ]) {
      const out = await fetchSite({ address: '127.0.0.1', port, path: '/healthz', ...req });
      expect(out.kind, JSON.stringify(req.name)).toBe('error');
      expect(out.kind === 'error' ? out.reason : '').toMatch(/^TLS or HTTP failed for /);
    }
  });

  it('fails when nothing listens on the port', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await fetchSite({ address: '127.0.0.1', port: freePort, name: 'n8n.example.com', path: '/', ca })).toEqual({ kind: 'error', reason: `nothing listens on 127.0.0.1:${freePort} (connection refused)` });
  });
});
