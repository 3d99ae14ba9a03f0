import { CATALOG } from '../catalog/catalog.js';
import type { ServiceEntry } from '../catalog/types.js';
import { rewriteImage } from '../profile/effective.js';

/**
 * What the sandbox builds (pure data). Every image starts from the base image (Debian bookworm
 * minbase); the compose services of the catalogue get an image under their catalogue name: a real
 * Debian package where Debian has the program (Caddy, PostgreSQL, Redis), a STAND-IN otherwise.
 */
export interface ImageRecipe {
  readonly id: string;
  /** Local image name, tag included. */
  readonly image: string;
  /** Recipe this one builds FROM (passed as build argument `fromArg`); 'base' is the imported root file system. */
  readonly parent: string;
  readonly fromArg: 'BASE' | 'STAND_IN';
  /** Dockerfile, relative to templates/sandbox. */
  readonly dockerfile: string;
  /** Build context: file name in the context → path relative to templates/sandbox. */
  readonly files: Readonly<Record<string, string>>;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Catalogue images (`repository:tag`) this image is published as in the local registry. */
  readonly publishes: readonly string[];
  readonly standIn: boolean;
}

export const IMAGE_PREFIX = 'homelab-wizard-sandbox';
export const BASE_IMAGE = `${IMAGE_PREFIX}/base:bookworm`;
export const SERVER_IMAGE = `${IMAGE_PREFIX}/server:bookworm`;
export const REGISTRY_IMAGE = `${IMAGE_PREFIX}/registry:2.8`;
export const STAND_IN_IMAGE = `${IMAGE_PREFIX}/stand-in:common`;
/** Label that records the hash of everything an image was built from; a different hash means rebuild. */
export const RECIPE_LABEL = 'org.homelab-wizard.sandbox.recipe';
export const ROOTFS_LABEL = 'org.homelab-wizard.sandbox.rootfs';
export const SUITE = 'bookworm';

/** Services whose real program Debian packages: built from those packages, not stand-ins. */
const DEBIAN_BUILT: Readonly<Record<string, string>> = { caddy: 'stack/caddy', postgresql: 'stack/postgres', redis: 'stack/redis' };

/**
 * How each stand-in differs: the user the real image runs as, extra packages its health check
 * needs, and tools the real image lacks (removed, so a health check relying on them fails here too).
 */
export interface StandInSpec {
  readonly runAs: number;
  readonly extraPackages?: readonly string[];
  readonly remove?: readonly string[];
  /**
   * More tags the same stand-in is published under: a second version to redeploy to in tests
   * (`redeploy` changes the running tag). Named `*-stand-in`: no such release of the real program.
   */
  readonly extraTags?: readonly string[];
}

const NO_CURL_WGET = ['/usr/bin/curl', '/usr/bin/wget'];
export const STAND_INS: Readonly<Record<string, StandInSpec>> = {
  // PyYAML: the stand-in reads Qdrant's YAML config file and refuses a bad one, as Qdrant does.
  qdrant: { runAs: 0, remove: NO_CURL_WGET, extraPackages: ['python3-yaml'] },
  n8n: { runAs: 1000, extraTags: ['2.8.0-stand-in'] },
  // PyYAML: the strict stand-in parses its config.yaml as the real proxy does (yaml.safe_load).
  litellm: { runAs: 0, remove: NO_CURL_WGET, extraPackages: ['python3-yaml'] },
  // nodejs: the catalogue's WebSocket health check and the openclaw.litellm smoke check run with node.
  openclaw: { runAs: 1000, extraPackages: ['nodejs'] },
  // Debian's Node: the smoke check's S3 probe runs with the image's `node`, as in the real image;
  // psql: the stand-in logs in to its PostgreSQL with NC_DB's credentials before it answers.
  nocodb: { runAs: 0, remove: ['/usr/bin/curl'], extraPackages: ['nodejs', 'postgresql-client'] },
  grafana: { runAs: 472 },
  victoriametrics: { runAs: 0 },
  loki: { runAs: 10001, remove: NO_CURL_WGET },
  alloy: { runAs: 0 },
  cadvisor: { runAs: 0 },
  diun: { runAs: 0 },
  couchdb: { runAs: 5984 },
  headscale: { runAs: 0 },
};

/** Stand-ins that need more than the common server: their own Dockerfile and files. */
const OWN_DOCKERFILE: Readonly<Record<string, { dockerfile: string; files: Readonly<Record<string, string>> }>> = {
  grafana: { dockerfile: 'stand-in/grafana.Dockerfile', files: { grafana: 'stand-ins/grafana' } },
  litellm: {
    dockerfile: 'stand-in/litellm.Dockerfile',
    files: { 'litellm_stand_in.py': 'stand-ins/litellm_stand_in.py', 'litellm-entrypoint.sh': 'stand-in/litellm-entrypoint.sh' },
  },
  // n8n's stand-in answers its owner-setup and login API and keeps the first encryption key, as n8n
  // 2.7 does. The real program (npm n8n@2.7.4, nearest published to the pin 2.7.3) was measured
  // and left out: 2062 packages, 2.4 GB, a 5-6 minute install (stand-ins/n8n has the numbers).
  n8n: { dockerfile: 'stand-in/n8n.Dockerfile', files: { n8n: 'stand-ins/n8n' } },
  qdrant: { dockerfile: 'stand-in/qdrant.Dockerfile', files: { qdrant: 'stand-ins/qdrant' } },
  // NocoDB's stand-in needs a PostgreSQL login and a complete S3 setting to start. The real program
  // (npm nocodb@0.301.3, nearest published to the pin 0.301.2, on Node 22.23) was measured and left
  // out: its cold install fails after 2 min 48 s (dependency xlsx is a tarball on cdn.sheetjs.com,
  // unreachable here); with xlsx overridden, nocodb-sdk's preinstall demands pnpm; with
  // --ignore-scripts too: 1 min 56 s (partly cached), 1431 packages, 1.4 GB, and its start stops
  // after 2.7 s (sqlite3's native module not built). README, sandbox section, has the same.
  nocodb: { dockerfile: 'stand-in/nocodb.Dockerfile', files: { 'nocodb_stand_in.py': 'stand-ins/nocodb_stand_in.py' } },
  // OpenClaw's stand-in refuses a config OpenClaw 2026.2.23's schema refuses and answers the
  // WebSocket upgrade. The pin cannot be installed here (a GitHub-only dependency); the nearest
  // release that installs, 2026.9.6, was measured (31 s cold, 330 packages, 647 MB, gateway up in
  // 10 s) and left out: another config schema than the pin's (stand-ins/openclaw has the numbers).
  openclaw: { dockerfile: 'stand-in/openclaw.Dockerfile', files: { openclaw: 'stand-ins/openclaw' } },
};

const STAND_IN_FILES = {
  'stand-in-server.py': 'stand-in/stand-in-server.py',
  'stand-in-entrypoint.sh': 'stand-in/stand-in-entrypoint.sh',
  'loki-health.sh': 'stand-in/loki-health.sh',
  headscale: 'stand-ins/headscale',
  'stand_in_common.py': 'stand-ins/stand_in_common.py',
};

function catalogueRef(entry: ServiceEntry): string {
  if (!entry.image) throw new Error(`${entry.id} has no image`);
  return `${entry.image.repository}:${entry.image.tag}`;
}

function serviceRecipe(entry: ServiceEntry): ImageRecipe {
  const built = DEBIAN_BUILT[entry.id];
  if (built !== undefined) {
    const name = built.split('/')[1] as string;
    return {
      id: entry.id, image: `${IMAGE_PREFIX}/${name}:debian`, parent: 'base', fromArg: 'BASE', dockerfile: `${built}/Dockerfile`,
      files: name === 'caddy' ? {} : { 'docker-entrypoint.sh': `${built}/docker-entrypoint.sh` },
      buildArgs: {}, publishes: [catalogueRef(entry)], standIn: false,
    };
  }
  const spec = STAND_INS[entry.id];
  if (spec === undefined) throw new Error(`no sandbox image for catalogue service ${entry.id}: add a stand-in to STAND_INS`);
  // Grafana's stand-in keeps an admin password in its data folder and has the CLI that resets it;
  // Qdrant's reads its config file, requires its API key and keeps collections in its storage.
  const own = OWN_DOCKERFILE[entry.id];
  return {
    id: entry.id, image: `${IMAGE_PREFIX}/stand-in-${entry.id}:latest`, parent: 'stand-in', fromArg: 'STAND_IN',
    dockerfile: own?.dockerfile ?? 'stand-in/service.Dockerfile', files: own?.files ?? {},
    buildArgs: {
      SERVICE: entry.id, RUN_AS: String(spec.runAs),
      EXTRA_PACKAGES: (spec.extraPackages ?? []).join(' '), REMOVE: (spec.remove ?? []).join(' '),
    },
    publishes: [catalogueRef(entry), ...(spec.extraTags ?? []).map((tag) => `${entry.image?.repository}:${tag}`)], standIn: true,
  };
}

/** Every image, parents before children. */
export function imageRecipes(catalog: readonly ServiceEntry[] = CATALOG): ImageRecipe[] {
  const infrastructure: ImageRecipe[] = [
    {
      id: 'server', image: SERVER_IMAGE, parent: 'base', fromArg: 'BASE', dockerfile: 'server/Dockerfile',
      files: {
        'sandbox-first-boot.service': 'server/sandbox-first-boot.service', 'first-boot.sh': 'server/first-boot.sh',
        'pid1.sh': 'server/pid1.sh', 'daemon.json': 'server/daemon.json', tailscale: 'stand-ins/tailscale', headscale: 'stand-ins/headscale',
        'stand_in_common.py': 'stand-ins/stand_in_common.py',
      },
      buildArgs: {}, publishes: [], standIn: false,
    },
    {
      id: 'registry', image: REGISTRY_IMAGE, parent: 'base', fromArg: 'BASE', dockerfile: 'registry/Dockerfile',
      files: { 'config.yml': 'registry/config.yml' }, buildArgs: {}, publishes: [], standIn: false,
    },
    {
      id: 'stand-in', image: STAND_IN_IMAGE, parent: 'base', fromArg: 'BASE', dockerfile: 'stand-in/Dockerfile',
      files: STAND_IN_FILES, buildArgs: {}, publishes: [], standIn: true,
    },
  ];
  return [...infrastructure, ...catalog.filter((e) => e.placement.kind === 'compose').map(serviceRecipe)];
}

/** Where a catalogue image lives in a registry: the same mapping the profile's `images.registry` rewrite uses. */
export function registryPath(catalogRef: string, registry: string): string {
  const at = catalogRef.lastIndexOf(':');
  return rewriteImage(catalogRef.slice(0, at), catalogRef.slice(at + 1), registry);
}
