import type { NodeSSH } from 'node-ssh';
import { expect } from 'vitest';
import type { SandboxServer } from '../../../src/sandbox/servers.js';
import { composeContainers, installDockerScript, remote, TestBed } from '../helpers/test-bed.js';

/**
 * Every trace a deployed stack leaves on a server: containers, the networks and volumes they used,
 * the project folders. Docker's image cache stays.
 */
const CLEAR_STACKS = [
  'set -e',
  'ids=$(docker ps -aq); if [ -n "$ids" ]; then docker rm -f -v $ids >/dev/null; fi',
  'docker network prune -f >/dev/null',
  'vols=$(docker volume ls -q); if [ -n "$vols" ]; then docker volume rm $vols >/dev/null; fi',
  'rm -rf /opt/homelab',
].join('\n');

/**
 * One sandbox server with its own Docker engine, shared by suites that each deploy a stack and do
 * not need a fresh server for anything else: installing Docker is the expensive part.
 */
export class StackServer {
  readonly bed: TestBed;
  private current: { server: SandboxServer; ssh: NodeSSH } | undefined;

  constructor(name: string) {
    this.bed = new TestBed(name);
  }

  get server(): SandboxServer {
    if (!this.current) throw new Error('the stack server is not started');
    return this.current.server;
  }

  get ssh(): NodeSSH {
    if (!this.current) throw new Error('the stack server is not started');
    return this.current.ssh;
  }

  async start(): Promise<void> {
    await this.bed.setUp();
    const server = await this.bed.startServer('vps');
    const ssh = await this.bed.ssh(server);
    this.current = { server, ssh };
    await remote(ssh, installDockerScript(this.bed.mirror));
  }

  /** Back to a server with Docker and no stack, whatever the suite before left; checked, not assumed. */
  async clear(): Promise<void> {
    await remote(this.ssh, CLEAR_STACKS);
    expect(await composeContainers(this.ssh)).toEqual({});
    expect(await remote(this.ssh, 'docker ps -aq; docker volume ls -q; test ! -e /opt/homelab || echo /opt/homelab')).toBe('');
  }

  async stop(): Promise<void> {
    this.current?.ssh.dispose();
    await this.bed.tearDown();
    expect(await this.bed.leftovers()).toEqual([]);
  }
}
