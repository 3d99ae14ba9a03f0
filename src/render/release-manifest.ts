import { createHash } from 'node:crypto';
import { isSecret, type Secret } from '../lib/secret.js';
import { canonical } from './canonical.js';
import type { Release, ReleaseFile } from './release.js';

/** One file of a release as the manifest records it: never its content, only its digest. */
export interface ManifestFile {
  readonly sha256: string;
  readonly mode: string;
  /** `uid:gid`, or `root:root` for the deploy user's own files. */
  readonly owner: string;
  /** The service the file belongs to (env file, config); absent for the shared compose files. */
  readonly service?: string;
}

export interface ManifestService {
  readonly image: string;
  /** The inputs hash (compose label `homelab-wizard.inputs`): what decides a recreate. */
  readonly inputs: string;
  readonly compose: 'infra' | 'apps';
}

/**
 * `releases/<id>/release.json`: what a release is made of. The id is computed from `files` only,
 * so the same content always gets the same id, whether `apply`, `redeploy` or `rollback` built it.
 * When and by whom a release was active lives in the host's `history.jsonl` instead: a release is
 * content, and the same content can be active several times.
 */
export interface ReleaseManifest {
  readonly version: 1;
  readonly release: string;
  readonly services: Readonly<Record<string, ManifestService>>;
  readonly files: Readonly<Record<string, ManifestFile>>;
}

export const MANIFEST_FILE = 'release.json';
export const COMPOSE_FILES = { infra: 'docker-compose-infra.yml', apps: 'docker-compose.yml' } as const;

export function fileOwner(f: { readonly uid?: number; readonly gid?: number }): string {
  return f.uid !== undefined ? `${f.uid}:${f.gid ?? f.uid}` : 'root:root';
}

export function sha256Of(content: string | Secret): string {
  return createHash('sha256').update(isSecret(content) ? content.reveal() : content).digest('hex');
}

/** The release id: a digest of every file's path, mode, owner and content digest. */
export function manifestId(files: Readonly<Record<string, ManifestFile>>): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(files).sort()) {
    const f = files[path] as ManifestFile;
    hash.update(`${path}\0${f.mode}\0${f.owner}\0${f.sha256}\n`);
  }
  return hash.digest('hex').slice(0, 12);
}

function manifestFile(f: ReleaseFile): ManifestFile {
  return { sha256: sha256Of(f.content), mode: f.mode, owner: fileOwner(f), ...(f.service !== undefined ? { service: f.service } : {}) };
}

/** The manifest of a freshly rendered release. */
export function manifestOf(release: Release): ReleaseManifest {
  const files = Object.fromEntries(release.files.map((f) => [f.path, manifestFile(f)]));
  const services: Record<string, ManifestService> = {};
  for (const s of release.services) {
    if (s.entry.placement.kind !== 'compose') continue;
    services[s.id] = { image: s.image ?? '', inputs: release.inputs.get(s.id) ?? '', compose: s.entry.placement.file };
  }
  return { version: 1, release: manifestId(files), services, files };
}

/** Canonical: the same manifest is always the same bytes (a later apply sees no change). */
export function manifestText(manifest: ReleaseManifest): string {
  return `${JSON.stringify(canonical(manifest), null, 2)}\n`;
}

/**
 * `state.json`: what runs, with the inputs of each service and the sha256 of every file of the
 * release, release.json included, so `status` can name a file edited by hand (also canonical).
 */
export function stateText(manifest: ReleaseManifest): string {
  const services = Object.fromEntries(Object.entries(manifest.services).map(([id, s]) => [id, { image: s.image, inputs: s.inputs }]));
  const files = { ...Object.fromEntries(Object.entries(manifest.files).map(([path, f]) => [path, f.sha256])), [MANIFEST_FILE]: sha256Of(manifestText(manifest)) };
  return `${JSON.stringify(canonical({ release: manifest.release, services, files }), null, 2)}\n`;
}

const HEX = /^[0-9a-f]+$/;

/** Reads a release.json written by this tool; anything else is undefined (an older release, or a hand edit). */
export function parseManifest(text: string): ReleaseManifest | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object') return undefined;
  const m = raw as Partial<Record<keyof ReleaseManifest, unknown>>;
  if (m.version !== 1 || typeof m.release !== 'string' || typeof m.services !== 'object' || m.services === null || typeof m.files !== 'object' || m.files === null) return undefined;
  for (const f of Object.values(m.files as Record<string, unknown>)) {
    const file = f as Partial<ManifestFile> | null;
    if (!file || typeof file.sha256 !== 'string' || !HEX.test(file.sha256) || typeof file.mode !== 'string' || typeof file.owner !== 'string') return undefined;
  }
  for (const s of Object.values(m.services as Record<string, unknown>)) {
    const service = s as Partial<ManifestService> | null;
    if (!service || typeof service.image !== 'string' || typeof service.inputs !== 'string' || (service.compose !== 'infra' && service.compose !== 'apps')) return undefined;
  }
  return raw as ReleaseManifest;
}
