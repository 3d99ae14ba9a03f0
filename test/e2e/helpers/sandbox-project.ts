import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { stringify } from 'yaml';
import { Secret } from '../../../src/lib/secret.js';
import { validateProfile } from '../../../src/profile/validate.js';
import { sandboxProfile } from '../../../src/sandbox/sandbox-profile.js';
import type { SandboxServer } from '../../../src/sandbox/servers.js';
import { missingSecrets } from '../../../src/vault/generate.js';
import { createVault } from '../../../src/vault/vault.js';
import { exampleProfile } from '../../helpers/profiles.js';
import { projectCli, type ProjectCli } from './cli.js';
import type { TestBed } from './test-bed.js';

type Doc = Record<string, any>;

/** One host of a sandbox profile: a server this test started, and what the profile says of it. */
export interface SandboxHostSpec {
  readonly server: SandboxServer;
  /** The host's name in the profile; the server's own name by default. */
  readonly name?: string;
  readonly role?: string;
  readonly services?: readonly unknown[];
  /**
   * How the CLI reaches it: `loopback`, the server's 127.0.0.1 port forward; `network`, its address
   * on the bed's network with SSH on 22 (as `sandbox up --profile` does; Caddy's 443 is there too).
   */
  readonly reach?: 'loopback' | 'network';
  /** Changes to the SSH block (login user, admin user, sudo). */
  readonly ssh?: Readonly<Record<string, unknown>>;
}

/** A host entry for a server this test started: only its own addresses, never documentation ones. */
export function sandboxHost(spec: SandboxHostSpec): Doc {
  const [address, port] = spec.reach === 'network' ? [spec.server.address, 22] : ['127.0.0.1', spec.server.sshPort];
  return {
    name: spec.name ?? spec.server.host,
    role: spec.role ?? 'app-server',
    address,
    ssh: { port, targetPort: port, user: 'root', adminUser: 'deploy', ...spec.ssh },
    os: 'debian-12',
    ...(spec.services ? { services: [...spec.services] } : {}),
  };
}

/** What a stack on sandbox servers needs besides its hosts: an address for notifications, images from the local registry. */
export const STACK = {
  notifications: { method: 'email', email: 'ops@example.com' },
  images: { registry: 'sandbox-registry:5000' },
  // A stack with n8n needs its owner: the deploy refuses to leave n8n's setup page to whoever comes first.
  admins: { n8nOwner: { email: 'ops@example.com', firstName: 'Ada', lastName: 'Lovelace' } },
} as const;

/** A profile for sandbox servers: example.com with Caddy's internal CA, the bed's key pair as the operator's. */
export function sandboxDoc(bed: TestBed, name: string, hosts: readonly SandboxHostSpec[], extra: Doc = {}): Doc {
  return {
    schemaVersion: 1,
    project: { name },
    domain: { name: 'example.com', tls: 'internal' },
    operator: { sshPublicKeys: [bed.publicKey], identityFile: bed.privateKeyPath },
    hosts: hosts.map(sandboxHost),
    ...extra,
  };
}

/**
 * An example profile (its services, so the firewall opens the web ports too) as `sandbox up
 * --profile` rewrites it for servers this test started: root on 22 first, the bed's key pair added.
 * Its project name is `<name>-sandbox`.
 */
export function exampleOnSandbox(bed: TestBed, example: 'minimal' | 'vpai', name: string, servers: readonly { host: string; server: SandboxServer }[]): Doc {
  const raw = exampleProfile(example);
  raw['project'].name = name;
  const addresses = servers.map((s) => ({ host: s.host, address: s.server.address }));
  return sandboxProfile(raw, name, addresses, { publicKeys: [bed.publicKey], identityFile: bed.privateKeyPath });
}

const nameOf = (doc: Doc): string => (doc['project'] as { name: string }).name;

/** Writes `profiles/<project name>.yaml`; returns the profile name. */
export function writeProfile(dir: string, doc: Doc): string {
  mkdirSync(path.join(dir, 'profiles'), { recursive: true });
  writeFileSync(path.join(dir, 'profiles', `${nameOf(doc)}.yaml`), stringify(doc));
  return nameOf(doc);
}

export interface VaultContent {
  /** Every secret the profile's services generate, as `init` makes them (off for a vault of given values only). */
  readonly generate?: boolean;
  /** Values set as they are, over generated ones. */
  readonly set?: Readonly<Record<string, string>>;
}

/** The profile's vault, encrypted to the recipients; returns every value it holds, for secret scans. */
export async function writeVault(dir: string, doc: Doc, recipients: readonly string[], content: VaultContent = {}): Promise<Map<string, string>> {
  const entries = new Map<string, Secret>();
  if (content.generate !== false) {
    const valid = validateProfile(doc);
    if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
    for (const g of missingSecrets(valid.profile, [], (n) => randomBytes(n))) entries.set(g.key, g.value);
  }
  for (const [key, value] of Object.entries(content.set ?? {})) entries.set(key, Secret.of(value));
  await createVault(dir, nameOf(doc), entries, recipients);
  return new Map([...entries].map(([key, value]) => [key, value.reveal()]));
}

/**
 * A throw-away project folder for one end-to-end file: its profiles, a vault encrypted to an age
 * identity made for the run, and the CLI bound to both.
 */
export class SandboxProject {
  readonly dir: string;
  identity = '';

  constructor(
    readonly bed: TestBed,
    label: string,
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), `hlw-e2e-${label}-`));
    mkdirSync(path.join(this.dir, 'profiles'));
  }

  /**
   * The CLI for this folder. `keyFrom: 'profile'` leaves the SSH key to the profile's
   * `operator.identityFile`, as an operator's own runs do; by default the environment names it.
   */
  cli(options: { profile?: string; keyFrom?: 'env' | 'profile'; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): ProjectCli {
    const env = (): NodeJS.ProcessEnv => ({
      ...options.env,
      ...(this.identity ? { HOMELAB_WIZARD_IDENTITY: this.identity } : {}),
      ...(options.keyFrom === 'profile' ? {} : { HOMELAB_WIZARD_SSH_KEY: this.bed.privateKeyPath }),
    });
    return projectCli({ dir: this.dir, env, ...(options.profile !== undefined ? { profile: options.profile } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
  }

  writeProfile(doc: Doc): string {
    return writeProfile(this.dir, doc);
  }

  /** The profile's vault, encrypted to this project's identity (made on first use). */
  async writeVault(doc: Doc, content: VaultContent = {}): Promise<Map<string, string>> {
    if (!this.identity) this.identity = await generateIdentity();
    return writeVault(this.dir, doc, [await identityToRecipient(this.identity)], content);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
