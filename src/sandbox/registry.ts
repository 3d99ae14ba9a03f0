import { WizardError } from '../errors.js';
import type { DockerCli } from './docker-cli.js';
import type { Log } from './images.js';
import { localGet } from './local-http.js';
import { LABEL, LABEL_ROLE, REGISTRY_ALIAS, REGISTRY_CONTAINER, REGISTRY_VOLUME } from './labels.js';
import { REGISTRY_IMAGE, registryPath, type ImageRecipe } from './recipes.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The Docker operations the registry needs: the DockerCli, or a stand-in in tests. */
export type RegistryDocker = Pick<DockerCli, 'run' | 'out'>;

/** How often a registry that stops on its own is started again, and how long each start may take. */
export const REGISTRY_STARTS = 3;
const ANSWER_WITHIN_MS = 30_000;
const POLL_MS = 500;

async function registryAnswers(port: number): Promise<boolean> {
  try {
    return (await localGet(`http://127.0.0.1:${port}/v2/`, { timeoutMs: 2000 })).status === 200;
  } catch {
    return false;
  }
}

/** Why a container is not running (exit code, Docker's error, OOM), or undefined while it runs. */
async function stoppedBecause(docker: RegistryDocker): Promise<string | undefined> {
  const state = await docker.run(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}} {{.State.Error}}', REGISTRY_CONTAINER], { allowFail: true });
  if (state.code !== 0) return 'the container is gone';
  const [status = '', exit = '', oom = '', ...error] = state.stdout.trim().split(' ');
  if (status === 'running') return undefined;
  const reasons = [`${status}, exit code ${exit}`];
  if (oom === 'true') reasons.push('killed for lack of memory');
  if (error.join(' ').trim()) reasons.push(error.join(' ').trim());
  return reasons.join('; ');
}

/** Start (or create) the registry container; a container published on another port is replaced. */
async function startRegistry(docker: RegistryDocker, port: number, log: Log): Promise<void> {
  const state = await docker.run(['inspect', '-f', '{{.State.Running}} {{(index (index .HostConfig.PortBindings "5000/tcp") 0).HostPort}}', REGISTRY_CONTAINER], { allowFail: true });
  const [running, hostPort] = state.stdout.trim().split(' ');
  if (state.code === 0 && hostPort === String(port)) {
    if (running !== 'true') await docker.run(['start', REGISTRY_CONTAINER]);
    return;
  }
  if (state.code === 0) await docker.run(['rm', '-f', REGISTRY_CONTAINER]);
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

/**
 * The local registry: Debian's docker-registry, published on 127.0.0.1 only, its data in a named
 * volume. A container that stops on its own is shown with its log and started again, a bounded
 * number of times; the error names why it stopped.
 */
export async function ensureRegistry(docker: RegistryDocker, port: number, log: Log, pollMs = POLL_MS): Promise<void> {
  let stopped = '';
  for (let start = 1; start <= REGISTRY_STARTS; start += 1) {
    await startRegistry(docker, port, log);
    stopped = '';
    for (let waited = 0; waited < ANSWER_WITHIN_MS && !stopped; waited += pollMs) {
      if (await registryAnswers(port)) return;
      stopped = (await stoppedBecause(docker)) ?? '';
      if (!stopped) await sleep(pollMs);
    }
    if (!stopped) break;
    const logs = await docker.run(['logs', '--tail', '30', REGISTRY_CONTAINER], { allowFail: true });
    log(`the local registry stopped (${stopped}); its last log lines:`);
    for (const line of `${logs.stdout}${logs.stderr}`.trim().split('\n').filter(Boolean)) log(`  ${line}`);
    if (start < REGISTRY_STARTS) log(`starting it again (${start + 1} of ${REGISTRY_STARTS})`);
  }
  if (stopped) {
    throw new WizardError('sandbox-docker', `the local registry on 127.0.0.1:${port} stopped ${REGISTRY_STARTS} times (${stopped})`, `its log is above; see also \`docker logs ${REGISTRY_CONTAINER}\` and the Docker engine's log`);
  }
  throw new WizardError('sandbox-docker', `the local registry on 127.0.0.1:${port} runs but did not answer within ${ANSWER_WITHIN_MS / 1000} s`, `see \`docker logs ${REGISTRY_CONTAINER}\``);
}

/** Attach the registry to a bed network under the name the servers' Docker mirrors from. */
export async function connectRegistry(docker: RegistryDocker, network: string): Promise<void> {
  const attached = await docker.out(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', REGISTRY_CONTAINER]);
  if (attached.split(' ').includes(network)) return;
  await docker.run(['network', 'connect', '--alias', REGISTRY_ALIAS, network, REGISTRY_CONTAINER]);
}

/** The image ID (config digest) the registry holds under a reference, if any. */
async function publishedImageId(port: number, ref: string): Promise<string | undefined> {
  const pathAndTag = ref.slice(ref.indexOf('/') + 1);
  const at = pathAndTag.lastIndexOf(':');
  try {
    const response = await localGet(`http://127.0.0.1:${port}/v2/${pathAndTag.slice(0, at)}/manifests/${pathAndTag.slice(at + 1)}`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      timeoutMs: 5000,
    });
    if (response.status !== 200) return undefined;
    const manifest = JSON.parse(response.body) as { config?: { digest?: string } };
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
