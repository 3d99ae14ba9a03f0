import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { CommandRunner } from '../contracts/command-runner.js';
import { ProfileError, WizardError } from '../errors.js';
import { profilePaths } from '../profile/paths.js';
import { validateProfile } from '../profile/validate.js';
import { SCHEMA_HEADER } from '../profile/json-schema.js';
import { cidrContains } from '../profile/cidr.js';
import { acmeSettingsSchema, inlineRoots, rootsSchema, type AcmeSettingsInput, type SandboxAcme } from '../sandbox/acme-settings.js';
import { defaultAuthorizedKeys } from '../sandbox/authorized-keys.js';
import { DockerCli, dockerBinary } from '../sandbox/docker-cli.js';
import { BED_NAME_RE, DEFAULT_SUBNET, REGISTRY_INNER, type Origin } from '../sandbox/labels.js';
import { prepareBed } from '../sandbox/prepare-bed.js';
import { connectRegistry } from '../sandbox/registry.js';
import { sandboxProfile, sandboxProfileName } from '../sandbox/sandbox-profile.js';
import { ensureBedNetwork, startServer, type BedSpec, type SandboxServer } from '../sandbox/servers.js';
import { loadProfile } from '../session/load-profile.js';

const MAX_HOSTS = 8;
/** Sandbox servers starting at once: more than two only slows each of them down on a small machine. */
const PARALLEL = 2;

function parseHosts(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS) {
    throw new WizardError('usage', `--hosts must be a whole number from 1 to ${MAX_HOSTS}, not '${String(value)}'`, `e.g. --hosts 2`);
  }
  return n;
}

function parseSubnet(value: unknown): string {
  const subnet = value === undefined ? DEFAULT_SUBNET : String(value);
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet);
  const prefix = Number(match?.[2]);
  if (!match || !cidrContains(subnet, match[1] as string) || prefix < 16 || prefix > 28) {
    throw new WizardError('usage', `--subnet must be an IPv4 range from /16 to /28 such as ${DEFAULT_SUBNET}, not '${subnet}'`, 'pick a private range no other network on this machine uses');
  }
  return subnet;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Atomic write (temp file, rename) that keeps the previous version as .bak. */
async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o644 });
  try {
    await copyFile(file, `${file}.bak`);
  } catch {
    // no previous version
  }
  await rename(tmp, file);
}

/** `--acme FILE`: read and checked before anything starts, each problem named with its field. */
async function readAcmeSettings(file: string, cwd: string): Promise<SandboxAcme> {
  const at = path.resolve(cwd, file);
  let raw: unknown;
  try {
    raw = parse(await readFile(at, 'utf8'));
  } catch (error) {
    throw new WizardError('usage', `--acme ${file}: cannot read it as YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`, 'give a YAML file with directory, roots and optionally resolvers and ovhEndpoint (README: Sandbox servers)');
  }
  const fail = (field: string, message: string): never => {
    throw new WizardError('usage', `--acme ${file}: ${field} ${message}`, 'fix that field of the file (README: Sandbox servers), then run the command again');
  };
  const parsed = acmeSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(issue?.path.join('.') || '(top level)', issue?.message ?? 'is not valid');
  }
  const settings = parsed.data as AcmeSettingsInput;
  let roots = inlineRoots(settings.roots);
  if (roots === undefined) {
    try {
      roots = await readFile(path.resolve(path.dirname(at), settings.roots), 'utf8');
    } catch {
      fail('roots', `names ${settings.roots}, which cannot be read (give PEM certificates or a readable file)`);
    }
  }
  const checked = rootsSchema.safeParse(roots);
  if (!checked.success) fail('roots', checked.error.issues[0]?.message ?? 'holds no valid certificate');
  return { directory: settings.directory, roots: roots as string, ...(settings.resolvers ? { resolvers: settings.resolvers } : {}), ...(settings.ovhEndpoint ? { ovhEndpoint: settings.ovhEndpoint } : {}) };
}

export const sandboxUp: CommandRunner = async (global, io, _args, options) => {
  const hostsOption = parseHosts(options['hosts']);
  const subnet = parseSubnet(options['subnet']);
  const log = (line: string): void => io.stderr(`${line}\n`);
  // The test suites mark their beds so that CI cleans up theirs and never a user's.
  const origin: Origin = io.env['HLW_SANDBOX_ORIGIN'] === 'test' ? 'test' : 'user';
  if (global.profile !== undefined && hostsOption !== undefined) {
    throw new WizardError('usage', '--hosts and --profile cannot be combined', 'with --profile the sandbox has one server per host of the profile; leave out --hosts');
  }
  if (options['acme'] !== undefined && global.profile === undefined) {
    throw new WizardError('usage', '--acme needs --profile', "--acme points a profile's sandbox copy at an ACME server; give the profile with --profile");
  }
  const acme = options['acme'] === undefined ? undefined : await readAcmeSettings(String(options['acme']), io.cwd);
  await new DockerCli(dockerBinary(io.env)).requireEngine();

  let bed: BedSpec;
  let hosts: string[];
  let keys: string[];
  let profileContext: Awaited<ReturnType<typeof loadProfile>> | undefined;
  if (global.profile !== undefined) {
    profileContext = await loadProfile(global, { io });
    hosts = profileContext.profile.hosts.map((h) => h.name);
    keys = options['sshKey'] !== undefined ? await defaultAuthorizedKeys(String(options['sshKey']), io.cwd) : [...profileContext.profile.operator.sshPublicKeys];
    bed = { name: profileContext.loaded.name, subnet, origin, profile: profileContext.loaded.name };
  } else {
    hosts = Array.from({ length: hostsOption ?? 1 }, (_, i) => `sandbox-${i + 1}`);
    keys = await defaultAuthorizedKeys(options['sshKey'] === undefined ? undefined : String(options['sshKey']), io.cwd);
    bed = { name: 'default', subnet, origin };
  }
  if (!BED_NAME_RE.test(bed.name)) throw new WizardError('usage', `cannot name a sandbox after '${bed.name}'`, 'use a profile name of lower-case letters, digits and dashes');

  const prepared = await prepareBed(io.env, log);
  const docker = prepared.docker;
  const network = await ensureBedNetwork(docker, bed);
  await connectRegistry(docker, network);
  const servers: SandboxServer[] = await mapLimit(hosts, PARALLEL, async (host) => {
    const server = await startServer(docker, { bed: bed.name, host, authorizedKeys: keys }, bed);
    log(`${host} is up at ${server.address} (ssh: 127.0.0.1:${server.sshPort})`);
    return server;
  });

  let profileFile: string | undefined;
  if (profileContext) {
    const keyFile = options['sshKey'] === undefined ? undefined : path.resolve(io.cwd, String(options['sshKey']));
    const identity = keyFile?.endsWith('.pub') && existsSync(keyFile.slice(0, -4)) ? keyFile.slice(0, -4) : undefined;
    const login = keyFile ? { publicKeys: keys, ...(identity ? { identityFile: identity } : {}) } : undefined;
    const copy = sandboxProfile(profileContext.loaded.raw as Record<string, unknown>, profileContext.loaded.name, servers.map((s) => ({ host: s.host, address: s.address })), login, acme);
    const check = validateProfile(copy);
    if (!check.ok) throw new ProfileError(`the sandbox copy of ${profileContext.loaded.file}`, check.issues, 'this is a bug in homelab-wizard sandbox; report it with the issues above');
    const name = sandboxProfileName(profileContext.loaded.name);
    profileFile = profilePaths(global.dir, name).plain;
    const header = `${SCHEMA_HEADER}\n# Sandbox copy of profiles/${profileContext.loaded.name}, written by \`homelab-wizard sandbox up --profile ${profileContext.loaded.name}\`.\n# Its hosts are local sandbox servers; \`homelab-wizard sandbox down --profile ${profileContext.loaded.name}\` removes them and this file.\n`;
    await writeAtomic(profileFile, header + stringify(copy, { lineWidth: 0 }));
  }

  if (global.json) {
    io.stdout(`${JSON.stringify({
      bed: bed.name, network, subnet, registry: { local: `127.0.0.1:${prepared.registryPort}`, servers: REGISTRY_INNER },
      servers: servers.map((s) => ({ host: s.host, address: s.address, sshPort: s.sshPort, user: 'root', container: s.container })),
      ...(profileFile ? { profile: profileFile } : {}),
    }, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(4, ...servers.map((s) => s.host.length));
  io.stdout(`sandbox servers of '${bed.name}' on ${network} (${subnet}); images from 127.0.0.1:${prepared.registryPort} (servers: ${REGISTRY_INNER})\n`);
  io.stdout(`${'HOST'.padEnd(width)}  ${'ADDRESS'.padEnd(15)}  SSH\n`);
  for (const s of servers) io.stdout(`${s.host.padEnd(width)}  ${s.address.padEnd(15)}  ssh root@${s.address}   or   ssh -p ${s.sshPort} root@127.0.0.1\n`);
  if (profileFile) io.stdout(`profile: ${path.relative(io.cwd, profileFile) || profileFile} (use it with --profile ${path.basename(profileFile, '.yaml')})\n`);
  io.stdout(`stop them with: homelab-wizard sandbox down${profileContext ? ` --profile ${bed.name}` : ''}\n`);
  return 0;
};
