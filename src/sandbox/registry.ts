import { WizardError } from '../errors.js';
import type { DockerCli } from './docker-cli.js';
import type { Log } from './images.js';
import { LABEL, LABEL_ROLE, REGISTRY_ALIAS, REGISTRY_CONTAINER, REGISTRY_VOLUME } from './labels.js';
import { REGISTRY_IMAGE, registryPath, type ImageRecipe } from './recipes.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function registryAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The local registry: Debian's docker-registry, published on 127.0.0.1 only, its data in a named volume. */
export async function ensureRegistry(docker: DockerCli, port: number, log: Log): Promise<void> {
  const state = await docker.run(['inspect', '-f', '{{.State.Running}} {{(index (index .HostConfig.PortBindings "5000/tcp") 0).HostPort}}', REGISTRY_CONTAINER], { allowFail: true });
  const [running, hostPort] = state.stdout.trim().split(' ');
  if (state.code === 0 && hostPort !== String(port)) {
    await docker.run(['rm', '-f', REGISTRY_CONTAINER]);
  } else if (state.code === 0 && running !== 'true') {
    await docker.run(['start', REGISTRY_CONTAINER]);
  }
  if (state.code !== 0 || hostPort !== String(port)) {
    log(`starting the local registry on 127.0.0.1:${port}`);
    const run = await docker.run(
      ['run', '-d', '--name', REGISTRY_CONTAINER, '-p', `127.0.0.1:${port}:5000`, '-v', `${REGISTRY_VOLUME}:/var/lib/registry`,
        '--label', `${LABEL}=1`, '--label', `${LABEL_ROLE}=registry`, REGISTRY_IMAGE],
      { allowFail: true },
    );
    if (run.code !== 0) {
      const why = run.stderr.trim().split('\n').pop() ?? '';
      throw new WizardError('sandbox-docker', `cannot start the local registry on 127.0.0.1:${port}: ${why}`, 'free that port, or choose another with HLW_SANDBOX_REGISTRY_PORT');
    }
  }
  for (let i = 0; i < 60; i += 1) {
    if (await registryAnswers(port)) return;
    await sleep(500);
  }
  throw new WizardError('sandbox-docker', `the local registry on 127.0.0.1:${port} did not answer within 30 s`, `see \`docker logs ${REGISTRY_CONTAINER}\``);
}

/** Attach the registry to a bed network under the name the servers' Docker mirrors from. */
export async function connectRegistry(docker: DockerCli, network: string): Promise<void> {
  const attached = await docker.out(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', REGISTRY_CONTAINER]);
  if (attached.split(' ').includes(network)) return;
  await docker.run(['network', 'connect', '--alias', REGISTRY_ALIAS, network, REGISTRY_CONTAINER]);
}

/** The image ID (config digest) the registry holds under a reference, if any. */
async function publishedImageId(port: number, ref: string): Promise<string | undefined> {
  const pathAndTag = ref.slice(ref.indexOf('/') + 1);
  const at = pathAndTag.lastIndexOf(':');
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v2/${pathAndTag.slice(0, at)}/manifests/${pathAndTag.slice(at + 1)}`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      signal: AbortSignal.timeout(5000),
    });
    if (response.status !== 200) return undefined;
    const manifest = (await response.json()) as { config?: { digest?: string } };
    return manifest.config?.digest;
  } catch {
    return undefined;
  }
}

/**
 * Push each image under the catalogue names it stands for, at the path the `images.registry`
 * rewrite (and Docker Hub mirroring) look for. Skipped when the registry already holds exactly
 * that image (the manifest's config digest is the local image ID).
 */
export async function publishImages(docker: DockerCli, port: number, recipes: readonly ImageRecipe[], log: Log): Promise<number> {
  let pushed = 0;
  for (const recipe of recipes) {
    for (const ref of recipe.publishes) {
      const target = registryPath(ref, `127.0.0.1:${port}`);
      const local = await docker.out(['image', 'inspect', '-f', '{{.Id}}', recipe.image]);
      if ((await publishedImageId(port, target)) === local) continue;
      log(`publishing ${ref} in the local registry${recipe.standIn ? ' (stand-in)' : ''}`);
      await docker.run(['tag', recipe.image, target]);
      try {
        await docker.run(['push', '-q', target], { timeoutMs: 10 * 60_000 });
      } finally {
        // The 127.0.0.1 tag is clutter in `docker images`; the registry keeps the image.
        await docker.run(['rmi', target], { allowFail: true });
      }
      pushed += 1;
    }
  }
  return pushed;
}
