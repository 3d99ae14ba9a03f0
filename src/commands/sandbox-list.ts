import type { CommandRunner } from '../contracts/command-runner.js';
import { DockerCli, dockerBinary } from '../sandbox/docker-cli.js';
import { listServers } from '../sandbox/servers.js';

export const sandboxList: CommandRunner = async (global, io) => {
  const docker = new DockerCli(dockerBinary(io.env));
  await docker.requireEngine();
  const servers = await listServers(docker, global.profile !== undefined ? { bed: global.profile } : {});
  if (global.json) {
    io.stdout(`${JSON.stringify(servers.map((s) => ({ bed: s.bed, host: s.host, address: s.address, sshPort: s.sshPort, status: s.status, origin: s.origin, container: s.container })), null, 2)}\n`);
    return 0;
  }
  if (servers.length === 0) {
    io.stdout('no sandbox servers (start some with `homelab-wizard sandbox up`)\n');
    return 0;
  }
  const rows = [['SANDBOX', 'HOST', 'ADDRESS', 'SSH', 'STATUS'], ...servers.map((s) => [s.bed, s.host, s.address || '-', s.sshPort ? `127.0.0.1:${s.sshPort}` : '-', s.origin === 'test' ? `${s.status} (test)` : s.status])];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const row of rows) io.stdout(`${row.map((cell, c) => (c < 4 ? cell.padEnd(widths[c] ?? 0) : cell)).join('  ')}\n`);
  return 0;
};
