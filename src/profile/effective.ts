import { getService } from '../catalog/catalog.js';
import type { ServiceEntry } from '../catalog/types.js';
import type { Host, Profile, ServiceRef } from './schema.js';

/** A service on a host with every value resolved: catalogue pins, profile overrides, registry rewrite. */
export interface EffectiveService {
  readonly id: string;
  readonly entry: ServiceEntry;
  /** Full image reference, registry rewrite applied; absent for host components. */
  readonly image?: string;
  readonly version?: string;
  readonly memoryLimit?: string;
  /** Site name (label only) when the service has a web site. */
  readonly subdomain?: string;
  readonly vpnOnly?: boolean;
}

export function serviceName(ref: ServiceRef): string {
  return typeof ref === 'string' ? ref : ref.name;
}

/**
 * Rewrites an image onto a mirror or private registry: `caddy:2` → `mirror.example.com/library/caddy:2`,
 * `ghcr.io/org/app:1` → `mirror.example.com/org/app:1` (the original registry host is dropped).
 */
export function rewriteImage(repository: string, tag: string, registry: string | undefined): string {
  if (registry === undefined) return `${repository}:${tag}`;
  const parts = repository.split('/');
  const hasRegistryHost = parts.length > 1 && /[.:]/.test(parts[0] ?? '') ;
  const path = hasRegistryHost ? parts.slice(1) : parts.length === 1 ? ['library', ...parts] : parts;
  return `${registry}/${path.join('/')}:${tag}`;
}

export function effectiveService(profile: Profile, ref: ServiceRef): EffectiveService {
  const id = serviceName(ref);
  const entry = getService(id);
  const override = typeof ref === 'string' ? undefined : ref;
  const version = override?.version ?? entry.image?.tag;
  const repository = override?.image ?? entry.image?.repository;
  const vpnOnly = entry.site ? override?.vpnOnly ?? (profile.access.mode === 'vpn-only' ? true : entry.site.vpnOnlyDefault) : undefined;
  return {
    id,
    entry,
    ...(repository !== undefined && version !== undefined ? { image: rewriteImage(repository, version, profile.images.registry), version } : {}),
    ...(override?.memoryLimit ?? entry.memoryLimit ? { memoryLimit: override?.memoryLimit ?? entry.memoryLimit } : {}),
    ...(entry.site ? { subdomain: override?.subdomain ?? entry.site.defaultSubdomain, vpnOnly } : {}),
  };
}

export function hostServices(profile: Profile, host: Host): EffectiveService[] {
  return host.services.map((ref) => effectiveService(profile, ref));
}

/** The profile as `profile show` prints it: defaults filled in, every service resolved. */
/** The host whose Caddy serves the apex domain (and its DNS record): the first host with Caddy. */
export function servesApex(profile: Profile, host: Host): boolean {
  return profile.hosts.find((h) => h.services.some((s) => serviceName(s) === 'caddy'))?.name === host.name;
}

export function effectiveProfile(profile: Profile): unknown {
  return {
    ...profile,
    hosts: profile.hosts.map((host) => ({
      ...host,
      services: hostServices(profile, host).map(({ entry: _entry, ...rest }) => rest),
    })),
  };
}
