// Sandbox servers for the benchmarks: the test bed's own code (dist/sandbox), on a subnet of
// their own (HLW_BENCH_SUBNET, default 172.31.225.0/24: apart from the user's default sandbox
// 172.31.213.0/24 and the end-to-end default 172.31.214.0/24). Everything is labelled as a test
// bed, so test/e2e/cleanup.sh would also find a leftover; bench/run removes it at the end, on
// failure and on Ctrl-C.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const BENCH_SUBNET = process.env.HLW_BENCH_SUBNET ?? '172.31.225.0/24';

export async function openBed(repo, log) {
  const dist = (p) => import(pathToFileURL(path.join(repo, 'dist', p)).href);
  const { DockerCli, dockerBinary } = await dist('sandbox/docker-cli.js');
  const { prepareBed } = await dist('sandbox/prepare-bed.js');
  const { connectRegistry } = await dist('sandbox/registry.js');
  const { ensureBedNetwork, removeBed, removeServer, startServer } = await dist('sandbox/servers.js');
  const { LABEL_BED } = await dist('sandbox/labels.js');
  const docker = new DockerCli(dockerBinary(process.env));
  const spec = { name: `bench-${process.pid}`, subnet: BENCH_SUBNET, origin: 'test' };
  const keyDir = mkdtempSync(path.join(tmpdir(), 'hlw-bench-key-'));
  const privateKeyPath = path.join(keyDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench@example.com', '-f', privateKeyPath]);
  const publicKey = readFileSync(`${privateKeyPath}.pub`, 'utf8').trim();
  let networkMade = false;
  const live = new Set();

  return {
    spec,
    privateKeyPath,
    publicKey,
    docker,
    async setUp() {
      await prepareBed(process.env, (line) => log(`  test bed: ${line}`));
      await ensureBedNetwork(docker, spec);
      networkMade = true;
      await connectRegistry(docker, `hlw-sandbox-${spec.name}`);
    },
    /** Starts servers one after another (each start waits for systemd and sshd). */
    async start(hosts) {
      const servers = [];
      for (const host of hosts) {
        const server = await startServer(docker, { bed: spec.name, host, authorizedKeys: [publicKey] }, spec);
        live.add(host);
        servers.push(server);
      }
      return servers;
    },
    async remove(hosts) {
      for (const host of hosts) {
        await removeServer(docker, spec.name, host);
        live.delete(host);
      }
    },
    liveCount: () => live.size,
    /**
     * CPU time (ns) the server's container has used so far, from its cgroup on this machine
     * (cgroup v1 cpuacct or v2 cpu.stat, cgroupfs or systemd driver); undefined when none is found.
     */
    async cpuNs(server) {
      const id = (await docker.out(['inspect', '-f', '{{.Id}}', server.container])).trim();
      if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
      for (const [file, parse] of [
        [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t) => Number(t)],
        [`/sys/fs/cgroup/cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`, (t) => Number(t)],
        [`/sys/fs/cgroup/docker/${id}/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1]) * 1000],
        [`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, (t) => Number(/usage_usec (\d+)/.exec(t)?.[1]) * 1000],
      ]) {
        if (existsSync(file)) return parse(readFileSync(file, 'utf8'));
      }
      return undefined;
    },
    /** Runs a command inside a server as root without SSH (so it adds no SSH connection to count). */
    exec(server, script) {
      return docker.out(['exec', server.container, 'sh', '-c', script]);
    },
    async tearDown() {
      try {
        if (networkMade || live.size > 0) await removeBed(docker, spec.name);
      } finally {
        rmSync(keyDir, { recursive: true, force: true });
      }
    },
    async leftovers() {
      const filter = `label=${LABEL_BED}=${spec.name}`;
      const lists = await Promise.all([docker.out(['ps', '-aq', '--filter', filter]), docker.out(['volume', 'ls', '-q', '--filter', filter]), docker.out(['network', 'ls', '-q', '--filter', filter])]);
      return lists.flatMap((l) => l.split('\n').filter(Boolean));
    },
  };
}
