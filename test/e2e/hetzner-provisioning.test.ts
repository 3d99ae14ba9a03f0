import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHetzner } from '../fakes/fake-hetzner.js';
import { sandboxStarter } from './helpers/sandbox-starter.js';
import { remote, TestBed } from './helpers/test-bed.js';

/**
 * Provisioning end to end: a server created through the fake Hetzner API is a real sandbox
 * server, reachable at the address the API reports, with the SSH key given at creation; deleting
 * it through the API removes it.
 */
const bed = new TestBed('hetzner');
const hetzner = new FakeHetzner({ starter: sandboxStarter(bed), actionMs: 300 });
let api: string;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { Authorization: `Bearer ${hetzner.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function waitForActions(ids: number[]): Promise<any[]> {
  for (let i = 0; i < 240; i += 1) {
    const { json } = await call('GET', `/actions?${ids.map((id) => `id=${id}`).join('&')}`);
    if (json.actions.every((a: any) => a.status !== 'running')) return json.actions;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`actions ${ids.join(', ')} still running`);
}

beforeAll(async () => {
  await bed.setUp();
  api = await hetzner.start();
});

afterAll(async () => {
  await hetzner.stop();
  await bed.tearDown();
  expect(await bed.leftovers()).toEqual([]);
});

describe('provisioning through the fake Hetzner API', () => {
  let serverId = 0;
  let address = '';

  it('creates a real sandbox server with the given SSH key and reports its address', async () => {
    const key = await call('POST', '/ssh_keys', { name: 'operator', public_key: bed.publicKey, labels: { 'managed-by': 'homelab-wizard' } });
    expect(key.status).toBe(201);
    const created = await call('POST', '/servers', {
      name: 'app-prod', server_type: 'cx23', image: 'debian-12', location: 'fsn1', ssh_keys: ['operator'],
      labels: { 'homelab-wizard/profile': 'e2e' }, public_net: { enable_ipv4: true, enable_ipv6: false },
    });
    expect(created.status).toBe(201);
    expect(created.json.root_password).toBeNull();
    expect(created.json.server.status).toBe('initializing');
    serverId = created.json.server.id;
    address = created.json.server.public_net.ipv4.ip;
    expect(address).toMatch(/^172\.31\.\d+\.\d+$/);
    const actions = await waitForActions([created.json.action.id, ...created.json.next_actions.map((a: any) => a.id)]);
    expect(actions.map((a) => [a.command, a.status])).toEqual([['create_server', 'success'], ['start_server', 'success']]);
    const server = await call('GET', `/servers/${serverId}`);
    expect(server.json.server.status).toBe('running');
  });

  it('lets the operator in at that address with that key', async () => {
    const ssh = await bed.sshAt(address, 22);
    try {
      expect(await remote(ssh, 'hostname')).toBe('app-prod');
      expect(await remote(ssh, 'cat /root/.ssh/authorized_keys')).toBe(bed.publicKey);
    } finally {
      ssh.dispose();
    }
  });

  it('finds the server by label selector and deletes it, machine included', async () => {
    const found = await call('GET', `/servers?label_selector=${encodeURIComponent('homelab-wizard/profile=e2e')}`);
    expect(found.json.servers.map((s: any) => s.id)).toEqual([serverId]);
    const deleted = await call('DELETE', `/servers/${serverId}`);
    expect(deleted.status).toBe(200);
    await waitForActions([deleted.json.action.id]);
    expect((await call('GET', `/servers/${serverId}`)).status).toBe(404);
    expect(await bed.docker.out(['ps', '-aq', '--filter', `name=hlw-${bed.spec.name}-app-prod`])).toBe('');
  });
});
