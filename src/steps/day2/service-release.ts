import { WizardError } from '../../errors.js';
import { Secret } from '../../lib/secret.js';
type SecretT = Secret;
import { COMPOSE_FILES, MANIFEST_FILE, manifestId, manifestText, sha256Of, type ManifestFile, type ReleaseManifest } from '../../render/release-manifest.js';
import { composeImage, replaceComposeService, sameDefinition } from './compose-merge.js';

/** A release as seen from outside: its manifest and its compose files. */
export interface ReleaseView {
  readonly manifest: ReleaseManifest;
  readonly compose: { readonly infra?: string; readonly apps?: string };
}

/** Where the one service's new files come from. */
export type ServiceSource =
  /** `redeploy`: rendered now from the profile and the vault; `content` holds every file of the render. */
  | (ReleaseView & { readonly kind: 'profile'; readonly content: ReadonlyMap<string, string | SecretT> })
  /** `rollback SERVICE`: an older release folder on the host; files are copied there, never downloaded. */
  | (ReleaseView & { readonly kind: 'release'; readonly id: string });

export interface FileChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
}

export interface ServicePlan {
  readonly service: string;
  readonly compose: 'infra' | 'apps';
  /** The release running now. */
  readonly base: string;
  readonly manifest: ReleaseManifest;
  /** Nothing differs: the new release would be the running one. */
  readonly unchanged: boolean;
  /** A folder with this id already exists on the host (same id, same content): used as it is. */
  readonly reuse: boolean;
  /**
   * The release is the running one, but the service's container was not made from it (its inputs
   * label differs, or there is none): it is brought up again from the running release's folder.
   */
  readonly recreate?: boolean;
  readonly imageBefore: string;
  readonly imageAfter: string;
  readonly fileChanges: readonly FileChange[];
  /** Files written into the new folder (release-relative), after it is seeded from `base`. */
  readonly uploads: readonly { readonly path: string; readonly mode: string; readonly owner: string; readonly content: string | SecretT }[];
  /** Files copied from the source release folder (rollback of one service). */
  readonly copies: readonly string[];
  readonly copyFrom?: string;
  readonly removes: readonly string[];
}

const own = (m: ReleaseManifest, service: string): [string, ManifestFile][] => Object.entries(m.files).filter(([, f]) => f.service === service);

/**
 * The release made of the running one with ONLY `service` taken from `source`: its own files
 * (env file, configs), its compose definition and image. Every other service keeps exactly what it
 * runs with, whatever the profile says about it now.
 */
export function planServiceRelease(service: string, current: ReleaseView & { readonly id: string }, source: ServiceSource, existing: ReadonlySet<string>): ServicePlan {
  const now = current.manifest.services[service];
  if (!now) {
    throw new WizardError('service-unknown', `${service} is not part of the running release ${current.id}`, 'deploy it first with `homelab-wizard apply --only deploy`');
  }
  const next = source.manifest.services[service];
  if (!next) {
    throw new WizardError(
      'service-unknown',
      source.kind === 'profile' ? `${service} is no longer in the profile for this host` : `release ${source.id} has no ${service}`,
      source.kind === 'profile' ? 'removing a service is a change of the whole stack: `homelab-wizard apply --only deploy`' : 'pick a release that has it (`rollback --json` lists them)',
    );
  }
  const composeKey = next.compose;
  const composeFile = COMPOSE_FILES[composeKey];
  const baseCompose = current.compose[composeKey];
  const sourceCompose = source.compose[composeKey];
  if (baseCompose === undefined || sourceCompose === undefined) {
    throw new WizardError('release-legacy', `the ${composeFile} of ${baseCompose === undefined ? `release ${current.id}` : 'the new release'} could not be read`, 'run `homelab-wizard apply --only deploy` once to write a complete release');
  }

  const before = new Map(own(current.manifest, service));
  const after = new Map(own(source.manifest, service));
  const files: Record<string, ManifestFile> = Object.fromEntries(Object.entries(current.manifest.files).filter(([, f]) => f.service !== service));
  for (const [path, f] of after) files[path] = f;
  const composeText = replaceComposeService(baseCompose, sourceCompose, service);
  const baseComposeEntry = current.manifest.files[composeFile];
  files[composeFile] = { sha256: sha256Of(composeText), mode: baseComposeEntry?.mode ?? '0644', owner: baseComposeEntry?.owner ?? 'root:root' };
  const id = manifestId(files);
  const manifest: ReleaseManifest = { version: 1, release: id, services: { ...current.manifest.services, [service]: next }, files };

  const fileChanges: FileChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(path);
    const b = after.get(path);
    if (!a) fileChanges.push({ path, change: 'added' });
    else if (!b) fileChanges.push({ path, change: 'removed' });
    else if (a.sha256 !== b.sha256 || a.mode !== b.mode || a.owner !== b.owner) fileChanges.push({ path, change: 'changed' });
  }
  const changedOwn = fileChanges.filter((c) => c.change !== 'removed').map((c) => c.path);
  const uploads: ServicePlan['uploads'][number][] = [];
  if (source.kind === 'profile') {
    for (const path of changedOwn) {
      const f = after.get(path) as ManifestFile;
      const content = source.content.get(path);
      if (content === undefined) throw new WizardError('internal', `the render has no content for ${path}`, 'this is a bug in homelab-wizard; report it');
      uploads.push({ path, mode: f.mode, owner: f.owner, content });
    }
  }
  if (composeText !== baseCompose) uploads.push({ path: composeFile, mode: files[composeFile]?.mode ?? '0644', owner: files[composeFile]?.owner ?? 'root:root', content: composeText });
  uploads.push({ path: MANIFEST_FILE, mode: '0600', owner: 'root:root', content: Secret.of(manifestText(manifest)) });

  return {
    service,
    compose: composeKey,
    base: current.id,
    manifest,
    unchanged: id === current.id,
    reuse: id !== current.id && existing.has(id),
    imageBefore: composeImage(baseCompose, service) ?? now.image,
    imageAfter: composeImage(sourceCompose, service) ?? next.image,
    fileChanges,
    uploads,
    copies: source.kind === 'release' ? changedOwn : [],
    ...(source.kind === 'release' ? { copyFrom: source.id } : {}),
    removes: fileChanges.filter((c) => c.change === 'removed').map((c) => c.path),
  };
}

/**
 * A plan that finds nothing to change in the files can still find a container that does not run
 * what the release says: created from another definition (by hand, or by an apply that stopped
 * between the two), or gone. Then that one service is brought up again from the running release.
 */
export function withRunningContainer(plan: ServicePlan, container: { readonly inputs: string } | undefined): ServicePlan {
  if (!plan.unchanged) return plan;
  const wanted = plan.manifest.services[plan.service]?.inputs;
  if (container !== undefined && container.inputs === wanted) return plan;
  return { ...plan, unchanged: false, reuse: true, recreate: true };
}

/**
 * Services whose profile differs from what runs, besides the one redeployed (their inputs, or their
 * compose definition: memory limit, ports, ...): they are left alone, and said so.
 */
export function othersChanged(current: ReleaseView, fresh: ReleaseView, service: string): string[] {
  const ids = [...new Set([...Object.keys(current.manifest.services), ...Object.keys(fresh.manifest.services)])].filter((s) => s !== service);
  return ids
    .filter((s) => {
      const a = current.manifest.services[s];
      const b = fresh.manifest.services[s];
      if (!a || !b || a.inputs !== b.inputs || a.compose !== b.compose) return true;
      return !sameDefinition(current.compose[a.compose], fresh.compose[b.compose], s);
    })
    .sort();
}

/**
 * Which compose files a whole-stack switch must bring up: those where a service differs (inputs,
 * definition, or presence). An unchanged file is left alone: `up` from another release folder
 * would recreate every container with a bind-mounted config, since its source path changes.
 */
export function changedComposeFiles(current: ReleaseView, target: ReleaseView): { readonly infra: boolean; readonly apps: boolean } {
  const differs = (file: 'infra' | 'apps'): boolean => {
    const ids = [...new Set([...Object.keys(current.manifest.services), ...Object.keys(target.manifest.services)])].filter(
      (id) => current.manifest.services[id]?.compose === file || target.manifest.services[id]?.compose === file,
    );
    return ids.some((id) => {
      const a = current.manifest.services[id];
      const b = target.manifest.services[id];
      return !a || !b || a.inputs !== b.inputs || a.compose !== b.compose || !sameDefinition(current.compose[file], target.compose[file], id);
    });
  };
  return { infra: differs('infra'), apps: differs('apps') };
}
