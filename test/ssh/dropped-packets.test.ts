import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, DialTimeout, dialTcp, type Endpoint } from '../../src/ssh/connect.js';
import { KnownHostsFile } from '../../src/ssh/known-hosts.js';
import { failure } from '../helpers/failure.js';

const work = mkdtempSync(path.join(tmpdir(), 'hlw-dropped-'));
const knownHosts = path.join(work, 'known_hosts');
writeFileSync(knownHosts, '');
const hostKeys = { knownHosts: new KnownHostsFile(knownHosts), unknown: { kind: 'refuse' as const } };
const identity = { file: '~/.ssh/id_ed25519', privateKey: 'unused' };
const target: Endpoint = { address: '203.0.113.10', port: 2222, user: 'deploy' };
const initial: Endpoint = { address: '203.0.113.10', port: 22, user: 'root' };

describe('a host whose packets are dropped', () => {
  it('costs one dial timeout per login, is not retried, and says why', async () => {
    const dials: string[] = [];
    const waits: number[] = [];
    const error = await failure(
      connect({
        host: 'vps',
        candidates: [target, initial],
        identity,
        hostKeys,
        retries: 3,
        wait: async (ms) => void waits.push(ms),
        // The network stand-in: every TCP connection goes unanswered until the timeout.
        dial: async (endpoint, timeoutMs) => {
          dials.push(`${endpoint.port} ${timeoutMs}`);
          throw new DialTimeout(timeoutMs);
        },
      }),
    );
    expect(dials).toEqual(['2222 8000', '22 8000']);
    expect(waits).toEqual([]);
    expect(error.message).toMatch(/vps: cannot reach root@203\.0\.113\.10:22: no answer within 8 s \(packets dropped: a firewall, or the wrong address\)/);
  });

  it('still retries a refused connection (a server that is booting)', async () => {
    let dials = 0;
    const waits: number[] = [];
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const dial = async (): Promise<never> => {
      dials++;
      throw refused;
    };
    const error = await failure(connect({ host: 'vps', candidates: [initial], identity, hostKeys, retries: 2, retryDelayMs: 100, wait: async (ms) => void waits.push(ms), dial }));
    expect(dials).toBe(3);
    expect(waits).toEqual([100, 200]);
    expect(error.message).toMatch(/refused the SSH connection/);
  });
});

describe('the TCP dial', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('opens a connection to a listening port', async () => {
    const socket = await dialTcp({ address: '127.0.0.1', port, user: 'x' }, 5_000);
    expect((socket as import('node:net').Socket).remotePort).toBe(port);
    socket.destroy();
  });

  it('passes a refusal on with its code, so it is classified as refused (and retried)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = (await dialTcp({ address: '127.0.0.1', port: free, user: 'x' }, 5_000).then(() => undefined, (e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('ECONNREFUSED');
  });
});
