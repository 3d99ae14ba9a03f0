import path from 'node:path';
import { WizardError } from '../errors.js';
import type { DockerCli } from './docker-cli.js';
import { TEMPLATES_DIR } from './images.js';
import {
  LABEL, LABEL_BED, LABEL_HOST, LABEL_ORIGIN, LABEL_PROFILE, LABEL_ROLE, REGISTRY_CONTAINER, networkName, serverContainer, serverVolume, type Origin,
} from './labels.js';
import { SERVER_IMAGE } from './recipes.js';
import { sshBanner } from '../lib/ssh-banner.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface BedSpec {
  readonly name: string;
  readonly subnet: string;
  readonly origin: Origin;
  readonly profile?: string;
}

export interface ServerSpec {
  readonly bed: string;
  readonly host: string;
  /** OpenSSH public key lines authorised for root at first boot. */
  readonly authorizedKeys: readonly string[];
  /** Container ports also published on 127.0.0.1 (22 always is). */
  readonly extraPorts?: readonly number[];
  /** `readonly` keeps Docker's read-only /proc/sys, to test a tool's error path (pid1.sh). */
  readonly sysctl?: 'shadow' | 'readonly';
}

export interface SandboxServer {
  readonly bed: string;
  readonly host: string;
  readonly container: string;
  /** Address on the bed's network (reachable from this machine). */
  readonly address: string;
  /** 127.0.0.1 port that forwards to the server's port 22. */
  readonly sshPort: number;
  /** Container port → 127.0.0.1 port. */
  readonly ports: Readonly<Record<number, number>>;
  readonly status: string;
  readonly origin: string;
  readonly profile?: string;
}

/** Creates the bed's network (labelled, fixed subnet) and attaches the registry to it. */
export async function ensureBedNetwork(docker: DockerCli, bed: BedSpec): Promise<string> {
  const name = networkName(bed.name);
  const existing = await docker.run(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', name], { allowFail: true });
  if (existing.code === 0) {
    if (existing.stdout.trim() !== bed.subnet) {
      throw new WizardError('sandbox-usage', `the sandbox '${bed.name}' already runs on ${existing.stdout.trim()}, not ${bed.subnet}`, `run \`homelab-wizard sandbox down\` for it first, or leave out --subnet`);
    }
    return name;
  }
  const labels = [`${LABEL}=1`, `${LABEL_BED}=${bed.name}`, `${LABEL_ORIGIN}=${bed.origin}`, ...(bed.profile ? [`${LABEL_PROFILE}=${bed.profile}`] : [])];
  const created = await docker.run(['network', 'create', '--subnet', bed.subnet, ...labels.flatMap((l) => ['--label', l]), name], { allowFail: true });
  if (created.code !== 0) {
    const why = created.stderr.trim().split('\n').pop() ?? '';
    throw new WizardError('sandbox-docker', `cannot create the sandbox network ${name} on ${bed.subnet}: ${why}`, 'choose a free range with --subnet (e.g. 172.31.214.0/24)');
  }
  return name;
}

async function inspectServer(docker: DockerCli, container: string): Promise<SandboxServer | undefined> {
  const result = await docker.run(['inspect', container], { allowFail: true });
  if (result.code !== 0) return undefined;
  const [info] = JSON.parse(result.stdout) as DockerInspect[];
  return info ? toServer(info) : undefined;
}

interface DockerInspect {
  Name: string;
  State: { Status: string };
  Config: { Labels: Record<string, string> };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }>; Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
}

function toServer(info: DockerInspect): SandboxServer {
  const labels = info.Config.Labels;
  const bed = labels[LABEL_BED] ?? '';
  const ports: Record<number, number> = {};
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const loopback = (bindings ?? []).find((b) => b.HostIp === '127.0.0.1');
    if (loopback && key.endsWith('/tcp')) ports[Number(key.split('/')[0])] = Number(loopback.HostPort);
  }
  return {
    bed,
    host: labels[LABEL_HOST] ?? '',
    container: info.Name.replace(/^\//, ''),
    address: info.NetworkSettings.Networks[networkName(bed)]?.IPAddress ?? '',
    sshPort: ports[22] ?? 0,
    ports,
    status: info.State.Status,
    origin: labels[LABEL_ORIGIN] ?? '',
    ...(labels[LABEL_PROFILE] ? { profile: labels[LABEL_PROFILE] } : {}),
  };
}

/** Waits until systemd is up and sshd answers; bounded. */
export async function waitForServer(docker: DockerCli, server: SandboxServer, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let systemd = '';
  while (Date.now() < deadline) {
    systemd = (await docker.run(['exec', server.container, 'systemctl', 'is-system-running'], { allowFail: true, timeoutMs: 10_000 })).stdout.trim();
    if (systemd === 'running' || systemd === 'degraded') break;
    await sleep(500);
  }
  while (Date.now() < deadline) {
    if (await sshBanner('127.0.0.1', server.sshPort, 1000)) return;
    await sleep(500);
  }
  throw new WizardError('sandbox-server', `sandbox server ${server.host} did not come up within ${Math.round(timeoutMs / 1000)} s (systemd: ${systemd || 'no answer'})`, `see \`docker logs ${server.container}\``);
}

/**
 * Starts one sandbox server: a fresh-Debian-12-like container with systemd as PID 1, on the bed's
 * network, with port 22 published on 127.0.0.1. No --privileged (it fails on hosts whose root lacks
 * CAP_SYS_RESOURCE, and would expose the host): explicit capabilities, a seccomp profile that
 * blocks host-wide syscalls, a private cgroup namespace.
 */
export async function startServer(docker: DockerCli, spec: ServerSpec, bed: BedSpec): Promise<SandboxServer> {
  const container = serverContainer(spec.bed, spec.host);
  const existing = await inspectServer(docker, container);
  if (existing && existing.status === 'running') return existing;
  if (existing) await docker.run(['rm', '-f', container]);
  const network = networkName(spec.bed);
  const labels = [`${LABEL}=1`, `${LABEL_ROLE}=server`, `${LABEL_BED}=${spec.bed}`, `${LABEL_HOST}=${spec.host}`, `${LABEL_ORIGIN}=${bed.origin}`,
    ...(bed.profile ? [`${LABEL_PROFILE}=${bed.profile}`] : [])];
  const volume = serverVolume(spec.bed, spec.host);
  await docker.run(['volume', 'create', ...labels.flatMap((l) => ['--label', l]), volume]);
  const ports = [22, ...(spec.extraPorts ?? [])].flatMap((p) => ['-p', `127.0.0.1::${p}`]);
  await docker.run([
    'run', '-d', '--name', container, '--hostname', spec.host, '--network', network,
    '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--cap-drop', 'SYS_TIME', '--cap-drop', 'SYS_MODULE', '--cap-drop', 'AUDIT_CONTROL',
    '--security-opt', `seccomp=${path.join(TEMPLATES_DIR, 'server', 'seccomp.json')}`, '--security-opt', 'apparmor=unconfined',
    '--cgroupns=private', '--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp',
    '--device', '/dev/net/tun', '--device', '/dev/fuse',
    '-v', `${volume}:/var/lib/docker`, ...ports,
    '-e', `SANDBOX_AUTHORIZED_KEYS=${spec.authorizedKeys.join('\n')}`, '-e', `SANDBOX_SYSCTL=${spec.sysctl ?? 'shadow'}`,
    '--restart', 'unless-stopped', ...labels.flatMap((l) => ['--label', l]), SERVER_IMAGE,
  ]);
  const server = await inspectServer(docker, container);
  if (!server) throw new WizardError('sandbox-server', `sandbox server ${spec.host} vanished right after it started`, `see \`docker logs ${container}\``);
  await waitForServer(docker, server);
  return server;
}

/** Every sandbox server, optionally of one bed, sorted by bed and host. */
export async function listServers(docker: DockerCli, filter: { bed?: string; origin?: Origin } = {}): Promise<SandboxServer[]> {
  const filters = ['--filter', `label=${LABEL_ROLE}=server`];
  if (filter.bed) filters.push('--filter', `label=${LABEL_BED}=${filter.bed}`);
  if (filter.origin) filters.push('--filter', `label=${LABEL_ORIGIN}=${filter.origin}`);
  const ids = (await docker.out(['ps', '-aq', ...filters])).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const infos = JSON.parse(await docker.out(['inspect', ...ids])) as DockerInspect[];
  return infos.map(toServer).sort((a, b) => `${a.bed}/${a.host}`.localeCompare(`${b.bed}/${b.host}`));
}

/** Names of the beds that exist (networks), optionally of one origin. */
export async function listBeds(docker: DockerCli, origin?: Origin): Promise<string[]> {
  const filters = ['--filter', `label=${LABEL_BED}`];
  if (origin) filters.push('--filter', `label=${LABEL_ORIGIN}=${origin}`);
  const out = await docker.out(['network', 'ls', ...filters, '--format', `{{.Label "${LABEL_BED}"}}`]);
  return [...new Set(out.split('\n').filter(Boolean))].sort();
}

/** Removes one server and its Docker volume. */
export async function removeServer(docker: DockerCli, bed: string, host: string): Promise<void> {
  await docker.run(['rm', '-f', '-v', serverContainer(bed, host)], { allowFail: true });
  await docker.run(['volume', 'rm', '-f', serverVolume(bed, host)], { allowFail: true });
}

/**
 * Removes a bed: its servers, their volumes, its network. The registry container goes too once no
 * bed is left (its volume and the images stay: they are the cache that makes the next start fast).
 */
export async function removeBed(docker: DockerCli, bed: string): Promise<string[]> {
  const removed: string[] = [];
  for (const server of await listServers(docker, { bed })) {
    await removeServer(docker, bed, server.host);
    removed.push(server.container);
  }
  const volumes = (await docker.out(['volume', 'ls', '-q', '--filter', `label=${LABEL_BED}=${bed}`])).split('\n').filter(Boolean);
  if (volumes.length > 0) await docker.run(['volume', 'rm', '-f', ...volumes], { allowFail: true });
  const network = networkName(bed);
  if ((await docker.run(['network', 'inspect', network], { allowFail: true })).code === 0) {
    await docker.run(['network', 'disconnect', '-f', network, REGISTRY_CONTAINER], { allowFail: true });
    await docker.run(['network', 'rm', network]);
    removed.push(network);
  }
  if ((await listBeds(docker)).length === 0) {
    const registry = await docker.run(['rm', '-f', REGISTRY_CONTAINER], { allowFail: true });
    if (registry.code === 0 && registry.stdout.trim() !== '') removed.push(REGISTRY_CONTAINER);
  }
  return removed;
}
