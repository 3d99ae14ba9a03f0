import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeSSH } from 'node-ssh';
import { DockerCli, dockerBinary } from '../../../src/sandbox/docker-cli.js';
import { debianMirror } from '../../../src/sandbox/images.js';
import { LABEL_BED, networkName } from '../../../src/sandbox/labels.js';
import { prepareBed } from '../../../src/sandbox/prepare-bed.js';
import { connectRegistry } from '../../../src/sandbox/registry.js';
import { ensureBedNetwork, removeBed, startServer, type BedSpec, type SandboxServer } from '../../../src/sandbox/servers.js';

/** The subnet of end-to-end beds: apart from the user's default sandbox (172.31.213.0/24). */
export const E2E_SUBNET = process.env['HLW_E2E_SUBNET'] ?? '172.31.214.0/24';

/**
 * One bed per test file: its own labelled network, servers started on demand, an ed25519 key pair
 * made for the run, and a teardown that removes every container, volume and network it made.
 */
export class TestBed {
  readonly docker = new DockerCli(dockerBinary(process.env));
  readonly spec: BedSpec;
  readonly keyDir = mkdtempSync(path.join(tmpdir(), 'hlw-e2e-key-'));
  readonly privateKeyPath = path.join(this.keyDir, 'id_ed25519');
  readonly publicKey: string;
  registryPort = 0;
  mirror = 'http://deb.debian.org/debian';

  constructor(name: string) {
    this.spec = { name: `e2e-${name}-${process.pid}`.slice(0, 32).replace(/-+$/, ''), subnet: E2E_SUBNET, origin: 'test' };
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'e2e@example.com', '-f', this.privateKeyPath]);
    this.publicKey = readFileSync(`${this.privateKeyPath}.pub`, 'utf8').trim();
  }

  get network(): string {
    return networkName(this.spec.name);
  }

  async setUp(): Promise<void> {
    const prepared = await prepareBed(process.env, (line) => process.stderr.write(`test bed: ${line}\n`));
    this.registryPort = prepared.registryPort;
    this.mirror = await debianMirror(process.env);
    await ensureBedNetwork(this.docker, this.spec);
    await connectRegistry(this.docker, this.network);
  }

  startServer(host: string, extraPorts: number[] = []): Promise<SandboxServer> {
    return startServer(this.docker, { bed: this.spec.name, host, authorizedKeys: [this.publicKey], extraPorts }, this.spec);
  }

  /** An SSH connection as root through the 127.0.0.1 port forward (or the bed address with port 22). */
  ssh(server: SandboxServer, via: 'loopback' | 'network' = 'loopback'): Promise<NodeSSH> {
    return via === 'loopback' ? this.sshAt('127.0.0.1', server.sshPort) : this.sshAt(server.address, 22);
  }

  /** Only 127.0.0.0/8 or an address on this bed's own network. */
  async sshAt(host: string, port: number, username = 'root'): Promise<NodeSSH> {
    const ssh = new NodeSSH();
    await ssh.connect({
      host,
      port,
      username,
      privateKey: readFileSync(this.privateKeyPath, 'utf8'),
      readyTimeout: 20_000,
      // Fresh host keys every run and reused addresses: trust on first use, per test.
      hostVerifier: () => true,
    });
    return ssh;
  }

  async tearDown(): Promise<void> {
    try {
      await removeBed(this.docker, this.spec.name);
    } finally {
      rmSync(this.keyDir, { recursive: true, force: true });
    }
  }

  /** Names of what is left of this bed in Docker (containers, volumes, networks): empty after tearDown. */
  async leftovers(): Promise<string[]> {
    const filter = `label=${LABEL_BED}=${this.spec.name}`;
    const lists = await Promise.all([
      this.docker.out(['ps', '-aq', '--filter', filter]),
      this.docker.out(['volume', 'ls', '-q', '--filter', filter]),
      this.docker.out(['network', 'ls', '-q', '--filter', filter]),
    ]);
    return lists.flatMap((l) => l.split('\n').filter(Boolean));
  }
}

/** Runs a remote command; a non-zero exit fails with its output (node-ssh does not throw on exit codes). */
export async function remote(ssh: NodeSSH, command: string, options: { stdin?: string } = {}): Promise<string> {
  const result = await ssh.execCommand(command, options.stdin !== undefined ? { stdin: options.stdin } : {});
  if (result.code !== 0) throw new Error(`remote command failed (exit ${result.code}): ${command}\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/** The container id of each Compose service running on the server (every project's). */
export async function composeContainers(ssh: NodeSSH): Promise<Record<string, string>> {
  const out = await remote(ssh, `docker ps --format '{{.Label "com.docker.compose.service"}} {{.ID}}'`);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/**
 * Installs Docker the way sandbox-notes §5 describes for Debian 12: docker.io from bookworm and
 * only the Compose v2 plugin from trixie (pinned at priority 100 so nothing else moves).
 */
export function installDockerScript(mirror: string): string {
  return [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    `echo "deb ${mirror} trixie main" > /etc/apt/sources.list.d/trixie.list`,
    "printf 'Package: *\\nPin: release n=trixie\\nPin-Priority: 100\\n' > /etc/apt/preferences.d/trixie",
    'apt-get update -q >/dev/null',
    'apt-get install -y -q docker.io >/dev/null',
    'apt-get install -y -q --no-install-recommends -t trixie docker-compose >/dev/null',
    'systemctl is-active docker',
    'docker compose version',
  ].join('\n');
}

/**
 * Docker's own health verdict for the containers a `docker ps` filter selects, waited for (bounded):
 * the deploy gate passes a container as soon as its own health test passes, before Docker's first
 * scheduled check (one `interval` after the start); this confirms Docker agrees afterwards. Fails
 * at once on `unhealthy`. Returns `service status` lines of the running containers.
 */
export async function dockerAgreesHealthy(ssh: NodeSSH, filter = '', timeoutSeconds = 120): Promise<string> {
  const list = `docker ps ${filter} --format '{{.Label "com.docker.compose.service"}} {{.Status}}'`;
  const script = `end=$(( $(date +%s) + ${timeoutSeconds} ))
while :; do
  out=$(${list}) || exit 1
  if printf '%s\\n' "$out" | grep -q '(unhealthy)'; then printf '%s\\n' "$out"; echo 'Docker says unhealthy' >&2; exit 1; fi
  if ! printf '%s\\n' "$out" | grep -q '(health: starting)'; then printf '%s\\n' "$out"; exit 0; fi
  if [ "$(date +%s)" -ge "$end" ]; then printf '%s\\n' "$out"; echo 'Docker has not finished its first health check in time' >&2; exit 1; fi
  sleep 1
done`;
  return remote(ssh, `sh -c ${`'${script.replaceAll("'", `'\\''`)}'`}`);
}
