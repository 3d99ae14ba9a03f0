import { REGISTRY_INNER } from './labels.js';

/** Where a host of a profile runs in the sandbox. */
export interface SandboxAddress {
  readonly host: string;
  readonly address: string;
}

type Doc = Record<string, unknown>;

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `vpai` → `vpai-sandbox`, shortened so it stays a valid profile and project name (32 characters). */
export function sandboxProfileName(name: string): string {
  const base = name.length > 24 ? name.slice(0, 24).replace(/-+$/, '') : name;
  return `${base}-sandbox`;
}

/**
 * The copy of a profile that points at its sandbox servers (pure; works on the profile as written,
 * so the operator's own keys and x- notes survive). Each host becomes an existing server at its
 * sandbox address, reached as root on 22 like a fresh cloud server; images come from the local
 * registry; TLS uses Caddy's internal CA and DNS is manual (no ACME, no OVH from a sandbox);
 * backups are off (no object storage); it is never a production profile.
 */
export function sandboxProfile(raw: Doc, sourceName: string, addresses: readonly SandboxAddress[]): Doc {
  const copy = structuredClone(raw);
  const name = sandboxProfileName(sourceName);
  const project = isDoc(copy['project']) ? copy['project'] : {};
  copy['project'] = {
    ...project,
    name,
    ...(typeof project['displayName'] === 'string' ? { displayName: `${project['displayName']} (sandbox)`.slice(0, 64) } : {}),
    production: false,
  };
  const domain = isDoc(copy['domain']) ? copy['domain'] : {};
  copy['domain'] = { ...domain, tls: 'internal', dnsProvider: 'manual' };
  const byHost = new Map(addresses.map((a) => [a.host, a.address]));
  copy['hosts'] = (Array.isArray(copy['hosts']) ? copy['hosts'] : []).map((h: unknown) => {
    if (!isDoc(h)) return h;
    const { provider: _provider, tailscaleIp: _vpnAddress, ...host } = h;
    const ssh = isDoc(host['ssh']) ? host['ssh'] : {};
    const address = byHost.get(String(host['name']));
    return { ...host, ...(address ? { address } : {}), arch: 'amd64', os: 'debian-12', ssh: { ...ssh, port: 22, user: 'root' } };
  });
  const images = isDoc(copy['images']) ? copy['images'] : {};
  copy['images'] = { ...images, registry: REGISTRY_INNER };
  const backups = isDoc(copy['backups']) ? copy['backups'] : {};
  copy['backups'] = { ...backups, enabled: false };
  copy['x-sandbox'] = { from: `profiles/${sourceName}.yaml`, bed: sourceName, note: 'written by `homelab-wizard sandbox up`; removed by `sandbox down`' };
  return copy;
}
