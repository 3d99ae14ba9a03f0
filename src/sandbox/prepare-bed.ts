import { DockerCli, dockerBinary } from './docker-cli.js';
import { debianMirror, ensureImages, sandboxCacheDir, type Log } from './images.js';
import { DEFAULT_REGISTRY_PORT } from './labels.js';
import { ensureRegistry, publishImages } from './registry.js';

export interface PreparedBed {
  readonly docker: DockerCli;
  readonly registryPort: number;
  readonly built: readonly string[];
  readonly published: number;
}

export function registryPort(env: NodeJS.ProcessEnv): number {
  const raw = env['HLW_SANDBOX_REGISTRY_PORT'];
  const port = raw ? Number(raw) : DEFAULT_REGISTRY_PORT;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : DEFAULT_REGISTRY_PORT;
}

/**
 * Everything sandbox servers need before the first one starts: the images (built when their recipe
 * changed), the local registry, and every catalogue image published in it.
 */
export async function prepareBed(env: NodeJS.ProcessEnv, log: Log): Promise<PreparedBed> {
  const docker = new DockerCli(dockerBinary(env));
  await docker.requireEngine();
  const images = await ensureImages(docker, { cacheDir: sandboxCacheDir(env), mirror: await debianMirror(env), log, now: new Date() });
  const port = registryPort(env);
  await ensureRegistry(docker, port, log);
  const published = await publishImages(docker, port, images.recipes, log);
  return { docker, registryPort: port, built: images.built, published };
}
