import { rm } from 'node:fs/promises';
import type { CommandRunner } from '../contracts/command-runner.js';
import { profilePaths } from '../profile/paths.js';
import { DockerCli, dockerBinary } from '../sandbox/docker-cli.js';
import { sandboxProfileName } from '../sandbox/sandbox-profile.js';
import { listBeds, removeBed } from '../sandbox/servers.js';

/** Removes what `sandbox up` created: servers, their volumes, networks, the generated profile. Images and the registry's data stay (the cache). */
export const sandboxDown: CommandRunner = async (global, io) => {
  const docker = new DockerCli(dockerBinary(io.env));
  await docker.requireEngine();
  const beds = global.profile !== undefined ? [global.profile] : await listBeds(docker, io.env['HLW_SANDBOX_ORIGIN'] === 'test' ? 'test' : 'user');
  const removed: string[] = [];
  const files: string[] = [];
  for (const bed of beds) {
    removed.push(...(await removeBed(docker, bed)));
    const paths = profilePaths(global.dir, sandboxProfileName(bed));
    for (const file of [paths.plain, `${paths.plain}.bak`, paths.knownHosts]) {
      try {
        await rm(file);
        files.push(file);
      } catch {
        // not there
      }
    }
  }
  if (global.json) io.stdout(`${JSON.stringify({ removed, files })}\n`);
  else if (removed.length === 0 && files.length === 0) io.stdout('nothing to remove: no sandbox is running\n');
  else io.stdout([...removed.map((r) => `removed ${r}`), ...files.map((f) => `removed ${f}`)].join('\n') + '\n');
  return 0;
};
