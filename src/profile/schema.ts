import { z } from 'zod';
import { findService, SERVICE_IDS } from '../catalog/catalog.js';
import { HOST_ROLES } from '../catalog/types.js';
import {
  absoluteDir, address, cidr, dnsLabel, email, fqdn, httpsUrl, imageRepository, imageTag, ipv4, localeName, memoryLimit,
  dnsServer, pemCertificates, port, registryPrefix, safeName, sshPublicKey, telegramChatId, timezone, unixUser,
} from './fields.js';
import { litellmSchema } from './litellm-schema.js';
import { openclawSchema } from './openclaw-schema.js';

/** The profile format this build writes. Older ones are migrated on load (migrate.ts). */
export const SCHEMA_VERSION = 1;

const serviceId = z.string().superRefine((id, ctx) => {
  if (findService(id) === undefined) ctx.addIssue({ code: 'custom', message: `unknown service '${id}'; known services: ${SERVICE_IDS.join(', ')}` });
});

const serviceOverride = z.strictObject({
  name: serviceId,
  /** Replaces the catalogue's pinned tag. */
  version: imageTag.optional(),
  /** Replaces the catalogue's image name (a fork or a private build). */
  image: imageRepository.optional(),
  memoryLimit: memoryLimit.optional(),
  subdomain: dnsLabel.optional(),
  vpnOnly: z.boolean().optional(),
});

/** A service on a host: its catalogue id, or the id with per-service overrides. */
export const serviceRef = z.union([serviceId, serviceOverride]);

const existingProvider = z.strictObject({ kind: z.literal('existing') });
const hetznerProvider = z.strictObject({
  kind: z.literal('hetzner'),
  serverType: z.string().regex(/^[a-z]{2,4}[0-9]{2,3}$/, 'must be a Hetzner server type such as cx23 or cax21'),
  location: z.string().regex(/^[a-z]{3}[0-9]?$/, 'must be a Hetzner location such as fsn1, nbg1 or hel1'),
  image: z.string().regex(/^[a-z]+-[0-9]+(\.[0-9]+)?$/, 'must be a Hetzner image name such as debian-13 or ubuntu-24.04'),
});

const hostSsh = z.strictObject({
  /** The port sshd listens on before hardening (how the first connection gets in). */
  port: port.default(22),
  /** The port after hardening. */
  targetPort: port.default(22),
  /** Who logs in before the admin user exists (root on a fresh cloud server). */
  user: unixUser.default('root'),
  /** The account hardening creates and every later run uses. */
  adminUser: unixUser.default('deploy'),
  /** `password`: sudo asks for the password stored in the vault as hosts.<name>.sudoPassword. */
  sudo: z.enum(['nopasswd', 'password']).default('nopasswd'),
  /** Reach this host through another host of the profile. */
  jumpHost: safeName.optional(),
});

export const hostSchema = z.strictObject({
  name: safeName,
  role: z.enum(HOST_ROLES, { message: `must be one of ${HOST_ROLES.join(', ')}` }),
  /** Public address. Optional for a Hetzner host that is not provisioned yet (written back after). */
  address: address.optional(),
  ssh: hostSsh.prefault({}),
  arch: z.enum(['amd64', 'arm64']).default('amd64'),
  os: z.enum(['debian-12', 'debian-13', 'ubuntu-22.04', 'ubuntu-24.04']).default('debian-13'),
  provider: z.discriminatedUnion('kind', [existingProvider, hetznerProvider]).prefault({ kind: 'existing' }),
  /** `vendor`: Docker's own packages (a real server); `distribution`: Debian's docker.io. */
  docker: z.strictObject({ source: z.enum(['vendor', 'distribution']).default('vendor') }).prefault({}),
  /** The host's VPN address, recorded by the vpn phase. */
  tailscaleIp: ipv4.optional(),
  services: z.array(serviceRef).default([]),
});

/** Vector distances Qdrant knows (its `Distance` enum). */
export const QDRANT_DISTANCES = ['Cosine', 'Dot', 'Euclid', 'Manhattan'] as const;

const qdrantCollection = z.strictObject({
  /**
   * Qdrant refuses < > : " / \ | ? * and control characters in a name; this is stricter (letters,
   * digits, _ - .), so the name also travels safely in a URL path and in shell arguments.
   */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/, 'must be a Qdrant collection name: 1 to 255 letters, digits, _, - or ., not starting with - or .'),
  /** Vector size: Qdrant accepts 1 to 65536; 1536 is OpenAI's text-embedding-3-small. */
  dimensions: z.number().int('must be a whole number').min(1, 'must be at least 1').max(65536, 'must be at most 65536 (Qdrant\'s limit)'),
  distance: z.enum(QDRANT_DISTANCES, { message: `must be one of ${QDRANT_DISTANCES.join(', ')}` }).default('Cosine'),
});

/** vpai's two collections (§2.3): LiteLLM's semantic cache and the RAG index, 1536 dimensions, Cosine. */
export const DEFAULT_QDRANT_COLLECTIONS = [
  { name: 'semantic_cache', dimensions: 1536, distance: 'Cosine' },
  { name: 'content_index', dimensions: 1536, distance: 'Cosine' },
] as const;

const qdrantSettings = z
  .strictObject({
    /** Created through Qdrant's API by the deploy phase when missing; never changed or deleted. */
    collections: z
      .array(qdrantCollection)
      .default(DEFAULT_QDRANT_COLLECTIONS.map((c) => ({ ...c })))
      .superRefine((collections, ctx) => {
        const seen = new Set<string>();
        collections.forEach((c, i) => {
          if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `collection '${c.name}' is listed twice; each name once` });
          seen.add(c.name);
        });
      }),
  })
  .prefault({});

export const profileSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION, { message: `must be ${SCHEMA_VERSION}` }),
  project: z.strictObject({
    name: safeName,
    displayName: z.string().min(1).max(64).optional(),
    description: z.string().max(200).optional(),
    /** Production profiles ask for the typed profile name before a redeploy or rollback. */
    production: z.boolean().default(false),
  }),
  domain: z.strictObject({
    name: fqdn,
    /** `ovh`: records are managed through the OVH API; `manual`: the operator creates them. */
    dnsProvider: z.enum(['ovh', 'manual']).default('manual'),
    tls: z.enum(['acme-http', 'acme-dns-ovh', 'internal']).default('acme-http'),
    /** Contact for the ACME account; defaults to notifications.email. */
    acmeEmail: email.optional(),
    /**
     * Another ACME server than Let's Encrypt's (its staging, a private CA, Pebble in the test bed),
     * with the roots that server's HTTPS and the certificates it issues chain to: Caddy and lego
     * trust them to talk to it, and smoke verifies served chains against them only.
     */
    acmeServer: z.strictObject({ directory: httpsUrl, roots: pemCertificates }).optional(),
    /** DNS servers lego asks for DNS-01 (zone lookup, propagation); default: the host's resolvers. */
    acmeResolvers: z.array(dnsServer).min(1).optional(),
  }),
  access: z.strictObject({ mode: z.enum(['public', 'vpn-only']).default('public') }).prefault({}),
  operator: z.strictObject({
    /** Public keys installed for the admin user on every host. */
    sshPublicKeys: z.array(sshPublicKey).min(1, 'needs at least one public key, or the admin user cannot log in'),
    /** Private key used to connect; resolved on the machine that runs the tool. */
    identityFile: z.string().min(1).default('~/.ssh/id_ed25519'),
  }),
  hosts: z.array(hostSchema).min(1, 'needs at least one host'),
  vpn: z
    .strictObject({
      enabled: z.boolean().default(false),
      headscaleUrl: httpsUrl.optional(),
      /** The host that runs Headscale, when it is part of this profile. */
      hub: safeName.optional(),
      cidr: cidr.default('100.64.0.0/10'),
      user: safeName.default('homelab'),
    })
    .prefault({}),
  notifications: z
    .strictObject({
      method: z.enum(['telegram', 'webhook', 'email', 'none']).default('none'),
      email: email.optional(),
      telegram: z.strictObject({ chatId: telegramChatId }).optional(),
    })
    .prefault({}),
  admins: z
    .strictObject({
      n8nOwner: z.strictObject({ email, firstName: z.string().min(1).max(64), lastName: z.string().min(1).max(64) }).optional(),
      grafanaUser: unixUser.default('admin'),
      litellmUser: unixUser.default('admin'),
    })
    .prefault({}),
  images: z
    .strictObject({
      registry: registryPrefix.optional(),
      /** The registry speaks plain HTTP (a local mirror, the sandbox's): Docker must be told. */
      insecureRegistry: z.boolean().default(false),
    })
    .prefault({}),
  backups: z
    .strictObject({
      enabled: z.boolean().default(false),
      s3: z
        .strictObject({
          endpoint: z.string().regex(/^(https?:\/\/)?[a-z0-9.-]+(:[0-9]+)?$/, 'must be an S3 endpoint such as fsn1.your-objectstorage.com'),
          region: z.string().min(1).max(32),
          bucket: dnsLabel,
          sharedBucket: dnsLabel.optional(),
        })
        .optional(),
      retention: z
        .strictObject({
          daily: z.number().int().min(0).max(366).default(7),
          weekly: z.number().int().min(0).max(104).default(4),
          monthly: z.number().int().min(0).max(120).default(6),
          yearly: z.number().int().min(0).max(50).default(2),
        })
        .prefault({}),
    })
    .prefault({}),
  /** LiteLLM's model list and budgets (vpai-system §2.3, §4.9), used where litellm runs. */
  litellm: litellmSchema,
  /** OpenClaw's default model and sandbox limits (vpai-system §4.11), used where openclaw runs. */
  openclaw: openclawSchema,
  locale: z.strictObject({ timezone: timezone.default('UTC'), locale: localeName.default('en_US.UTF-8') }).prefault({}),
  providers: z
    .strictObject({
      hetzner: z.strictObject({ endpoint: httpsUrl.default('https://api.hetzner.cloud/v1') }).prefault({}),
      ovh: z
        .strictObject({
          endpoint: z
            .union([z.enum(['ovh-eu', 'ovh-ca', 'ovh-us']), httpsUrl], { message: 'must be ovh-eu, ovh-ca, ovh-us or a URL' })
            .default('ovh-eu'),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Qdrant's settings where a host runs it (vpai §2.3 and §4.8). */
  qdrant: qdrantSettings,
  deploy: z
    .strictObject({
      /** Where each host keeps this project: `<root>/<project.name>/` holds releases/, data/, audit.log and the lock. */
      root: absoluteDir.default('/opt/homelab'),
      /** Releases kept on each host for rollback. */
      keepReleases: z.number().int().min(2).max(50).default(5),
    })
    .prefault({}),
});

/** What the operator writes (defaults may be left out). */
export type ProfileInput = z.input<typeof profileSchema>;
/** The effective profile, with every default filled in. */
export type Profile = z.output<typeof profileSchema>;
export type Host = Profile['hosts'][number];
export type ServiceRef = z.output<typeof serviceRef>;
