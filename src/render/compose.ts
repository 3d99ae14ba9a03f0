import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { NETWORKS } from '../catalog/networks.js';
import type { EffectiveService } from '../profile/effective.js';
import { canonical } from './canonical.js';

/** Where a service's rendered inputs live inside a release folder (relative paths). */
export interface ServiceFiles {
  readonly envFile?: string;
  /** Files mounted read-only: release-relative source → container target. */
  readonly mounts: readonly { readonly source: string; readonly target: string }[];
  /** sha256 over the service's own files (env file, configs: path, mode, content). */
  readonly filesHash: string;
  readonly command?: readonly string[];
}

export interface ComposeInput {
  readonly project: string;
  /** `<deploy root>/<project>/data`, absolute. */
  readonly dataDir: string;
  readonly services: readonly EffectiveService[];
  readonly files: ReadonlyMap<string, ServiceFiles>;
  /** Published ports Caddy should not take (vpn-only access closes port 80). */
  readonly closeHttp: boolean;
}

export const INPUTS_LABEL = 'homelab-wizard.inputs';

const seconds = (n: number): string => `${n}s`;

/** Compose interpolates `$`; every literal dollar in a value must be doubled. */
function escapeDollars<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$') as T;
  if (Array.isArray(value)) return value.map(escapeDollars) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)])) as T;
  return value;
}

export function networkName(project: string, network: string): string {
  return `${project}_${network}`;
}

/** The definition of one service, without its inputs label. */
function serviceDefinition(input: ComposeInput, service: EffectiveService): Record<string, unknown> {
  const { entry } = service;
  const files = input.files.get(service.id);
  const ports = entry.ports
    .filter((p) => p.published !== undefined && !(input.closeHttp && p.published === 80))
    .map((p) => `${p.published}:${p.container}${p.protocol === 'udp' ? '/udp' : ''}`);
  const health = entry.health;
  return {
    image: service.image,
    restart: 'unless-stopped',
    ...(files?.command ? { command: [...files.command] } : {}),
    ...(files?.envFile ? { env_file: [`./${files.envFile}`] } : {}),
    networks: [...entry.networks],
    ...(ports.length > 0 ? { ports } : {}),
    volumes: [
      ...entry.dataDirs.map((d) => `${input.dataDir}/${d.path}:${d.target}`),
      ...(files?.mounts ?? []).map((m) => `./${m.source}:${m.target}:ro`),
    ],
    ...(health
      ? {
          healthcheck: {
            test: [...health.test],
            interval: seconds(health.intervalSeconds),
            timeout: seconds(health.timeoutSeconds),
            retries: health.retries,
            start_period: seconds(health.startPeriodSeconds),
          },
        }
      : {}),
    security_opt: ['no-new-privileges:true'],
    cap_drop: ['ALL'],
    ...(entry.capAdd && entry.capAdd.length > 0 ? { cap_add: [...entry.capAdd] } : {}),
    ...(service.memoryLimit ? { deploy: { resources: { limits: { memory: service.memoryLimit } } } } : {}),
    logging: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
  };
}

/**
 * The inputs label of a service: its own files and its whole compose definition (limits,
 * healthcheck, command, ports, volumes, ...), so a change of any of them recreates the container
 * and shows in `plan` and `status`. The label itself is left out: it cannot hash itself. Compose's
 * own `config --hash` would not do: it hashes the env-file path and the bind-mount sources, which
 * live in the release folder, whose name changes with every release. Here every path is
 * release-relative (`./env/…`) or under `data/`, so the same service has the same hash in every release.
 */
export function inputsHash(definition: Readonly<Record<string, unknown>>, filesHash: string): string {
  return createHash('sha256').update(JSON.stringify(canonical(definition))).update('\0').update(filesHash).digest('hex');
}

/** Every compose service of the input with its definition, label included, and its inputs hash. */
export function composeServices(input: ComposeInput): Map<string, { readonly definition: Record<string, unknown>; readonly inputs: string }> {
  const out = new Map<string, { definition: Record<string, unknown>; inputs: string }>();
  for (const service of input.services) {
    if (service.entry.placement.kind !== 'compose') continue;
    const bare = serviceDefinition(input, service);
    const inputs = inputsHash(bare, input.files.get(service.id)?.filesHash ?? '');
    out.set(service.id, { definition: { ...bare, labels: { [INPUTS_LABEL]: inputs } }, inputs });
  }
  return out;
}

/**
 * One compose file (infra or apps) as YAML text. Networks are external in both: the deploy phase
 * creates them with fixed subnets, so no compose project owns them (vpai-system L-D6).
 */
export function renderComposeFile(input: ComposeInput, file: 'infra' | 'apps'): string {
  const services = input.services.filter((s) => s.entry.placement.kind === 'compose' && s.entry.placement.file === file);
  const used = new Set(services.flatMap((s) => s.entry.networks));
  const defined = composeServices(input);
  const doc = {
    name: file === 'infra' ? `${input.project}-infra` : input.project,
    services: Object.fromEntries(services.map((s) => [s.id, defined.get(s.id)?.definition])),
    networks: Object.fromEntries(
      NETWORKS.filter((n) => used.has(n.name)).map((n) => [n.name, { name: networkName(input.project, n.name), external: true }]),
    ),
  };
  // YAML 1.1 quoting keeps values like `yes` or `22:22` strings for every consumer (stack-notes §8).
  return stringify(escapeDollars(doc), { version: '1.1', lineWidth: 0 });
}
