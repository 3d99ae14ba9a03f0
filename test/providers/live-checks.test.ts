import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHeadscaleUrl, checkHetznerToken, checkOvhCredentials } from '../../src/providers/live-checks.js';
import { ovhSignature } from '../../src/providers/ovh/sign.js';

/** A stand-in API on loopback: answers by path, records what it saw. */
let server: Server;
let base = '';
const seen: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const url = req.url ?? '';
    if (url.startsWith('/hcloud/locations')) {
      res.writeHead(req.headers.authorization === 'Bearer good' ? 200 : 401, { 'content-type': 'application/json' });
      res.end(req.headers.authorization === 'Bearer good' ? '{"locations":[]}' : '{"error":{"code":"unauthorized","message":"unable to authenticate","details":null}}');
    } else if (url === '/ovh/1.0/auth/time') res.end('1700000000');
    else if (url.startsWith('/ovh/1.0/domain/zone/example.com/soa')) {
      const ok = req.headers['x-ovh-signature'] === ovhSignature({ applicationSecret: 'AS', consumerKey: 'CK', method: 'GET', url: `${base}${url}`, body: '', timestamp: 1700000000 });
      res.writeHead(ok ? 200 : 400);
      res.end(ok ? '{}' : '{"errorCode":"INVALID_SIGNATURE","message":"Invalid signature"}');
    } else if (url === '/hs/health') res.end('{"status":"pass"}');
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('live credential checks (wizard)', () => {
  it('ends at once, as cancelled, when the wizard cancels it (Ctrl-C), not at its timeout', async () => {
    const { createServer: create } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = create((socket) => void sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const cancel = new AbortController();
    const pending = checkHetznerToken(`http://127.0.0.1:${port}/v1`, 'x', cancel.signal);
    setTimeout(() => cancel.abort(), 50);
    expect(await pending).toEqual({ ok: undefined, message: 'check cancelled' });
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('tells a good Hetzner token from a refused one', async () => {
    expect(await checkHetznerToken(`${base}/hcloud`, 'good')).toMatchObject({ ok: true });
    expect(await checkHetznerToken(`${base}/hcloud`, 'bad')).toMatchObject({ ok: false, message: expect.stringMatching(/refused the token/) });
  });

  it('signs OVH requests with the server time and reads the zone', async () => {
    const r = await checkOvhCredentials(`${base}/ovh/1.0`, 'example.com', { applicationKey: 'AK', applicationSecret: 'AS', consumerKey: 'CK' });
    expect(r).toMatchObject({ ok: true });
    expect(seen.find((s) => s.url.endsWith('/soa'))?.headers['x-ovh-timestamp']).toBe('1700000000');
    const wrong = await checkOvhCredentials(`${base}/ovh/1.0`, 'example.com', { applicationKey: 'AK', applicationSecret: 'nope', consumerKey: 'CK' });
    expect(wrong).toMatchObject({ ok: false });
  });

  it('checks Headscale /health, and says "not checked" when nothing answers', async () => {
    expect(await checkHeadscaleUrl(`${base}/hs`)).toMatchObject({ ok: true });
    const offline = await checkHeadscaleUrl('http://127.0.0.1:9');
    expect(offline.ok).toBeUndefined();
    expect(offline.message).toMatch(/did not answer/);
  });

  it('computes OVH signatures like go-ovh (its published test vectors)', () => {
    const v = { applicationSecret: '9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk', consumerKey: '5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY', timestamp: 1457018875 };
    expect(ovhSignature({ ...v, method: 'GET', url: 'https://eu.api.ovh.com/1.0/auth', body: '' })).toBe('$1$e9556054b6309771395efa467c22e627407461ad');
    expect(ovhSignature({ ...v, method: 'POST', url: 'https://eu.api.ovh.com/1.0/auth', body: '{"a":"b","c":"d"}' })).toBe('$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1');
    expect(ovhSignature({ ...v, method: 'GET', url: 'https://eu.api.ovh.com/v1/call', body: '' })).toBe('$1$e6e7906d385eb28adcbfbe6b66c1528a42d741ad');
  });
});
