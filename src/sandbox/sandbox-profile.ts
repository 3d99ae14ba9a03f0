import { PROFILE_NAME_RE } from '../profile/paths.js';
import type { SandboxAcme } from './acme-settings.js';
import { REGISTRY_INNER } from './labels.js';

/** Where a host of a profile runs in the sandbox. */
export interface SandboxAddress {
  readonly host: string;
  readonly address: string;
}

type Doc = Record<string, unknown>;

/** An explicit `--ssh-key` for the sandbox: its public keys, and the private key file next to it when there is one. */
export interface SandboxLogin {
  readonly publicKeys: readonly string[];
  readonly identityFile?: string;
}

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
 * registry; TLS uses Caddy's internal CA and DNS is manual (no ACME, no OVH from a sandbox),
 * unless `acme` names an ACME server to rehearse the profile's own TLS mode against; backups are
 * off and NocoDB has no shared bucket (no object storage); it is never a production profile.
 */
export function sandboxProfile(raw: Doc, sourceName: string, addresses: readonly SandboxAddress[], login?: SandboxLogin, acme?: SandboxAcme): Doc {
  const copy = structuredClone(raw);
  if (login) {
    // The key the servers were started with must also reach the admin user, or hardening locks the operator out.
    const operator = isDoc(copy['operator']) ? copy['operator'] : {};
    const keys = Array.isArray(operator['sshPublicKeys']) ? (operator['sshPublicKeys'] as unknown[]) : [];
    copy['operator'] = {
      ...operator,
      sshPublicKeys: [...keys, ...login.publicKeys.filter((k) => !keys.includes(k))],
      ...(login.identityFile ? { identityFile: login.identityFile } : {}),
    };
  }
  const name = sandboxProfileName(sourceName);
  const project = isDoc(copy['project']) ? copy['project'] : {};
  copy['project'] = {
    ...project,
    name,
    ...(typeof project['displayName'] === 'string' ? { displayName: `${project['displayName']} (sandbox)`.slice(0, 64) } : {}),
    production: false,
  };
  const domain = isDoc(copy['domain']) ? copy['domain'] : {};
  if (acme) {
    copy['domain'] = {
      ...domain,
      acmeServer: { directory: acme.directory, roots: acme.roots },
      ...(acme.resolvers ? { acmeResolvers: [...acme.resolvers] } : {}),
    };
    if (acme.ovhEndpoint !== undefined) {
      const providers = isDoc(copy['providers']) ? copy['providers'] : {};
      const ovh = isDoc(providers['ovh']) ? providers['ovh'] : {};
      copy['providers'] = { ...providers, ovh: { ...ovh, endpoint: acme.ovhEndpoint } };
    }
  } else {
    copy['domain'] = { ...domain, tls: 'internal', dnsProvider: 'manual' };
  }
  const byHost = new Map(addresses.map((a) => [a.host, a.address]));
  copy['hosts'] = (Array.isArray(copy['hosts']) ? copy['hosts'] : []).map((h: unknown) => {
    if (!isDoc(h)) return h;
    const { provider: _provider, tailscaleIp: _vpnAddress, ...host } = h;
    const ssh = isDoc(host['ssh']) ? host['ssh'] : {};
    const address = byHost.get(String(host['name']));
    // No Docker apt repository from a sandbox (no HTTPS egress): Debian's docker.io.
    return { ...host, ...(address ? { address } : {}), arch: 'amd64', os: 'debian-12', ssh: { ...ssh, port: 22, user: 'root' }, docker: { source: 'distribution' } };
  });
  const images = isDoc(copy['images']) ? copy['images'] : {};
  // The local registry speaks plain HTTP; the server's Docker also uses it as its Docker Hub mirror.
  copy['images'] = { ...images, registry: REGISTRY_INNER, insecureRegistry: true };
  const backups = isDoc(copy['backups']) ? copy['backups'] : {};
  // No object storage from a sandbox: NocoDB keeps its attachments on its disk (no shared bucket).
  const { sharedBucket: _shared, ...s3 } = isDoc(backups['s3']) ? backups['s3'] : {};
  copy['backups'] = { ...backups, enabled: false, ...(isDoc(backups['s3']) ? { s3 } : {}) };
  copy['x-sandbox'] = {
    from: `profiles/${sourceName}.yaml`,
    bed: sourceName,
    replicaOf: sourceName,
    note: `written by \`homelab-wizard sandbox up\`; removed by \`sandbox down\`; its secrets are read from vault/${sourceName}.age`,
  };
  return copy;
}

/**
 * The profile a sandbox replica was made from, as its `x-sandbox` block says (undefined for any
 * other profile). A replica reads that profile's vault: one encrypted file, the same recipients,
 * nothing to copy or keep in step. `bed` names the source too in replicas written before
 * `replicaOf` existed.
 */
export function replicaSource(raw: unknown): string | undefined {
  const block = isDoc(raw) ? raw['x-sandbox'] : undefined;
  if (!isDoc(block)) return undefined;
  const name = block['replicaOf'] ?? block['bed'];
  return typeof name === 'string' && PROFILE_NAME_RE.test(name) ? name : undefined;
}
