import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerResult } from '../../src/sandbox/docker-cli.js';
import { REGISTRY_CONTAINER } from '../../src/sandbox/labels.js';
import { ensureRegistry, REGISTRY_STARTS, type RegistryDocker } from '../../src/sandbox/registry.js';
import { REPO } from '../helpers/profiles.js';

/**
 * A stand-in Docker holding one registry container: `starts` says, per start, whether the registry
 * comes up (an HTTP server answering /v2/ on the published port) or exits at once.
 */
class StandInDocker implements RegistryDocker {
  readonly calls: string[] = [];
  private state: 'none' | 'running' | 'exited' = 'none';
  private server: http.Server | undefined;
  private start = 0;

  constructor(private readonly port: number, private readonly starts: readonly ('up' | 'exits')[]) {}

  async run(args: readonly string[]): Promise<DockerResult> {
    this.calls.push(args[0] ?? '');
    const ok = (stdout = ''): DockerResult => ({ code: 0, stdout, stderr: '' });
    switch (args[0]) {
      case 'inspect':
        if (this.state === 'none') return { code: 1, stdout: '', stderr: `Error: No such object: ${REGISTRY_CONTAINER}` };
        if (args[2]?.startsWith('{{.State.Running}}')) return ok(`${this.state === 'running'} ${this.port}\n`);
        return ok(this.state === 'running' ? 'running 0 false \n' : 'exited 2 false \n');
      case 'run':
      case 'start':
        await this.begin();
        return ok('abc123\n');
      case 'logs':
        return { code: 0, stdout: '', stderr: 'level=fatal msg="configuration error: stand-in says no"\n' };
      case 'rm':
        await this.stop();
        this.state = 'none';
        return ok();
      default:
        throw new Error(`the stand-in docker does not know ${args.join(' ')}`);
    }
  }

  async out(args: readonly string[]): Promise<string> {
    return (await this.run(args)).stdout.trim();
  }

  private async begin(): Promise<void> {
    const mode = this.starts[this.start++] ?? 'exits';
    if (mode === 'exits') {
      this.state = 'exited';
      return;
    }
    this.state = 'running';
    this.server = http.createServer((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 404).end('{}'));
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

async function freeLoopbackPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the local registry of the test bed', () => {
  let docker: StandInDocker | undefined;
  afterEach(async () => docker?.stop());

  it('shows the log of a registry that stopped on its own and starts it again', async () => {
    const port = await freeLoopbackPort();
    docker = new StandInDocker(port, ['exits', 'up']);
    const lines: string[] = [];
    await ensureRegistry(docker, port, (line) => lines.push(line), 10);
    expect(lines).toEqual([
      `starting the local registry on 127.0.0.1:${port}`,
      'the local registry stopped (exited, exit code 2); its last log lines:',
      '  level=fatal msg="configuration error: stand-in says no"',
      `starting it again (2 of ${REGISTRY_STARTS})`,
    ]);
    expect(docker.calls.filter((c) => c === 'run' || c === 'start')).toEqual(['run', 'start']);
  });

  it('gives up after a bounded number of starts, naming why it stopped', async () => {
    const port = await freeLoopbackPort();
    docker = new StandInDocker(port, []);
    const lines: string[] = [];
    await expect(ensureRegistry(docker, port, (line) => lines.push(line), 10)).rejects.toThrow(
      `the local registry on 127.0.0.1:${port} stopped ${REGISTRY_STARTS} times (exited, exit code 2)`,
    );
    expect(lines.filter((l) => l.startsWith('the local registry stopped'))).toHaveLength(REGISTRY_STARTS);
  });

  it('probes a port whose proxy accepts and closes at once without leaving Node with nothing to wait on', () => {
    // Docker's port proxy does this before the registry listens. With fetch, Node exited with 13
    // (a top-level await never settled) in the middle of the bootstrap. Run in a process of its
    // own, where nothing else keeps Node alive.
    const script = `
      import net from 'node:net';
      import { localGet } from ${JSON.stringify(path.join(REPO, 'dist/sandbox/local-http.js'))};
      const server = net.createServer((socket) => socket.destroy());
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      server.unref();
      try {
        await localGet('http://127.0.0.1:' + server.address().port + '/v2/', { timeoutMs: 2000 });
        console.log('answered');
      } catch (error) {
        console.log('refused: ' + error.message);
      }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('refused: socket hang up\n');
  });
});
