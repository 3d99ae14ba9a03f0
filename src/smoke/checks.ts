import { cidrContains } from '../profile/cidr.js';
import { hostServices, servesApex, type EffectiveService } from '../profile/effective.js';
import type { Host, Profile } from '../profile/schema.js';
import { litellmAliases } from '../render/litellm-config.js';
import { OPENCLAW_LITELLM_BASE_URL, OPENCLAW_LITELLM_PROVIDER } from '../render/openclaw-config.js';
import { siteName } from '../render/site-names.js';
import { acmeLayout } from '../steps/deploy/acme-dns.js';
import { qdrantCollectionsArgv } from '../steps/deploy/qdrant.js';

/** Where a compose service runs: its compose project and file, relative to the current release. */
export interface ComposeTarget {
  readonly project: string;
  readonly file: 'docker-compose-infra.yml' | 'docker-compose.yml';
  readonly service: string;
}

interface Base {
  /** Unique on the host, dotted: `<service>.<what>`. */
  readonly id: string;
  /** The service of the profile the check belongs to. */
  readonly service: string;
  readonly describe: string;
}

/** Runs on the host, all of them in one SSH round trip. */
export type HostCheck = Base &
  (
    | { readonly kind: 'container'; readonly target: ComposeTarget }
    | { readonly kind: 'systemd'; readonly unit: string }
    /** In the service's container (`docker compose exec -T`), or on the host for host components. */
    | { readonly kind: 'command'; readonly target?: ComposeTarget; readonly argv: readonly string[]; readonly expect: string }
    | { readonly kind: 'http-container'; readonly target: ComposeTarget; readonly port: number; readonly path: string; readonly expectStatus: readonly number[] }
    | { readonly kind: 'tcp'; readonly target: ComposeTarget; readonly port: number }
    /** DNS-01: the state lego's renewal left (src/remote/acme-renew.sh): a failed renewal is a WARN while the old certificate lasts. */
    | { readonly kind: 'tls-renewal'; readonly stateFile: string }
    /** The app's own user and password, from PostgreSQL's network name (never a trusted local socket). */
    | { readonly kind: 'db-login'; readonly target: ComposeTarget; readonly database: string; readonly user: string; readonly passwordKey: string }
    /** GET /v1/models in the app's container with the vault's key (stdin): exactly `expected` listed. */
    | { readonly kind: 'model-list'; readonly target: ComposeTarget; readonly port: number; readonly passwordKey: string; readonly expected: readonly string[] }
    /** n8n's owner through n8n's login API in its container; `email` absent: the profile names no owner. */
    | { readonly kind: 'n8n-owner-login'; readonly target: ComposeTarget; readonly email?: string; readonly passwordKey: string }
    /** Qdrant's collections through its API in its container (src/remote/qdrant-collections.sh `check`); the API key is the container's own. */
    | { readonly kind: 'qdrant-collections'; readonly target: ComposeTarget; readonly argv: readonly string[]; readonly collections: readonly string[] }
    /** NocoDB's S3 storage: an object written, read back and deleted with the container's NC_S3_* (src/smoke/nocodb-storage.ts). */
    | { readonly kind: 'nocodb-storage'; readonly target: ComposeTarget; readonly bucket: string }
    /** In OpenClaw's container: its configured model provider's /models with its configured key (src/smoke/openclaw-litellm.ts). */
    | { readonly kind: 'openclaw-litellm'; readonly target: ComposeTarget; readonly provider: string; readonly baseUrl: string; readonly models: readonly string[] }
  );

/** Runs on the operator's machine: HTTPS to the host's address with the site's name (SNI and Host). */
export type SiteCheck = Base & {
  readonly kind: 'site';
  readonly name: string;
  readonly path: string;
  readonly expectStatus: readonly number[];
  /** Expect Caddy's 403: the operator is outside the VPN range. */
  readonly expectRefused: boolean;
};

export type PlannedCheck = HostCheck | SiteCheck;

export interface SmokePlan {
  readonly host: string;
  /** The SSH target address; sites are reached there on 443. Absent: not provisioned yet. */
  readonly address?: string;
  readonly checks: readonly PlannedCheck[];
  /** `domain.tls: internal`: the site checks trust only Caddy's root, read from this container. */
  readonly internalCa?: ComposeTarget;
  /** `domain.acmeServer.roots`: the site checks trust only these roots (PEM), not the system's. */
  readonly expectedCa?: string;
}

export const INFRA_FILE = 'docker-compose-infra.yml';
export const APPS_FILE = 'docker-compose.yml';

function composeTarget(profile: Profile, service: EffectiveService): ComposeTarget | undefined {
  const placement = service.entry.placement;
  if (placement.kind !== 'compose') return undefined;
  const infra = placement.file === 'infra';
  return { project: infra ? `${profile.project.name}-infra` : profile.project.name, file: infra ? INFRA_FILE : APPS_FILE, service: service.id };
}

/**
 * The smoke checks of one host, derived only from the services enabled on it (vpai §9.6: checks of
 * services that are gone are never run): each container running and healthy, the catalogue's
 * checks, one database login per app with a database, and every site through Caddy: reachable with
 * a valid certificate, or refused when it is VPN-only and the operator is outside the VPN range.
 */
export function smokePlan(profile: Profile, host: Host): SmokePlan {
  const services = hostServices(profile, host);
  const checks: PlannedCheck[] = [];
  const ids = new Set(services.map((s) => s.id));
  const hasCaddy = ids.has('caddy');
  const postgres = services.find((s) => s.id === 'postgresql');
  const postgresTarget = postgres ? composeTarget(profile, postgres) : undefined;
  const apex = servesApex(profile, host);
  // An operator whose SSH target is a VPN address is inside the range: VPN-only sites must answer.
  const insideVpn = host.address !== undefined && cidrContains(profile.vpn.cidr, host.address);

  for (const service of services) {
    const target = composeTarget(profile, service);
    if (target) checks.push({ id: `${service.id}.container`, service: service.id, kind: 'container', target, describe: `container ${service.id} running${service.entry.health ? ' and healthy' : ''}` });
    let siteChecked = false;
    for (const smoke of service.entry.smoke) {
      const base = { id: smoke.id, service: service.id };
      switch (smoke.kind) {
        case 'systemd':
          checks.push({ ...base, kind: 'systemd', unit: smoke.unit, describe: `systemd unit ${smoke.unit} active` });
          break;
        case 'command':
          checks.push({ ...base, kind: 'command', ...(target ? { target } : {}), argv: smoke.argv, expect: smoke.expect, describe: `${smoke.argv.join(' ')} says '${smoke.expect}'` });
          break;
        case 'tcp':
          if (target) checks.push({ ...base, kind: 'tcp', target, port: smoke.port, describe: `port ${smoke.port} accepts connections` });
          break;
        case 'model-list':
          if (target) {
            const expected = litellmAliases(profile.litellm);
            checks.push({ ...base, kind: 'model-list', target, port: smoke.port, passwordKey: smoke.keySecret, expected, describe: `GET /v1/models in the container lists the ${expected.length} configured models` });
          }
          break;
        case 'db-login':
          break; // one per app with a database, below, whether the catalogue lists it or not
        case 'n8n-owner-login': {
          if (!target) break;
          const email = profile.admins.n8nOwner?.email;
          checks.push({ ...base, kind: 'n8n-owner-login', target, ...(email !== undefined ? { email } : {}), passwordKey: 'n8n.ownerPassword', describe: `the n8n owner ${email ?? '(admins.n8nOwner)'} logs in with the vault's password` });
          break;
        }
        case 'http': {
          if (smoke.via === 'container') {
            if (target) {
              const port = service.entry.ports[0]?.container;
              if (port !== undefined) checks.push({ ...base, kind: 'http-container', target, port, path: smoke.path, expectStatus: smoke.expectStatus, describe: `GET http://127.0.0.1:${port}${smoke.path} in the container` });
            }
            break;
          }
          if (!hasCaddy) break;
          const name = service.id === 'caddy' ? (apex ? profile.domain.name : undefined) : siteName(profile, service);
          if (name === undefined) break;
          checks.push(siteCheck(base, name, smoke.path, smoke.expectStatus, service.vpnOnly === true && !insideVpn));
          siteChecked = true;
          break;
        }
      }
    }
    // A VPN-only site without an http smoke check is still proven refused from outside.
    const name = siteName(profile, service);
    if (hasCaddy && !siteChecked && name !== undefined && service.vpnOnly === true && !insideVpn) {
      checks.push(siteCheck({ id: `${service.id}.site`, service: service.id }, name, '/', [], true));
    }
    if (service.id === 'qdrant' && target && profile.qdrant.collections.length > 0) {
      const collections = profile.qdrant.collections.map((c) => `${c.name} (${c.dimensions}, ${c.distance})`);
      checks.push({
        id: 'qdrant.collections',
        service: service.id,
        kind: 'qdrant-collections',
        target,
        argv: qdrantCollectionsArgv(profile, 'check'),
        collections,
        describe: `Qdrant has the collections ${collections.join(', ')} (asked through its API)`,
      });
    }
    const sharedBucket = profile.backups.s3?.sharedBucket;
    if (service.id === 'nocodb' && target && sharedBucket !== undefined) {
      checks.push({
        id: 'nocodb.storage',
        service: service.id,
        kind: 'nocodb-storage',
        target,
        bucket: sharedBucket,
        describe: `NocoDB's storage settings write, read back and delete an object in the bucket ${sharedBucket}`,
      });
    }
    if (service.id === 'openclaw' && target) {
      const models = profile.litellm.models.map((m) => m.alias);
      checks.push({
        id: 'openclaw.litellm',
        service: service.id,
        kind: 'openclaw-litellm',
        target,
        provider: OPENCLAW_LITELLM_PROVIDER,
        baseUrl: OPENCLAW_LITELLM_BASE_URL,
        models,
        describe: `OpenClaw's container reaches LiteLLM at ${OPENCLAW_LITELLM_BASE_URL} with its configured key, and LiteLLM serves its ${models.length} models`,
      });
    }
    const db = service.entry.database;
    if (db && postgresTarget) {
      const listed = service.entry.smoke.find((s) => s.kind === 'db-login');
      checks.push({
        id: listed?.id ?? `${service.id}.db-login`,
        service: service.id,
        kind: 'db-login',
        target: postgresTarget,
        database: db.name,
        user: db.user,
        passwordKey: `${service.id}.dbPassword`,
        describe: `${db.user} logs in to database ${db.name} with its own password`,
      });
    }
  }
  if (hasCaddy && profile.domain.tls === 'acme-dns-ovh') {
    checks.push({ id: 'caddy.tls-renewal', service: 'caddy', kind: 'tls-renewal', stateFile: `${acmeLayout(profile).dir}/state`, describe: 'the last DNS-01 certificate renewal (lego) passed' });
  }
  const acmeServer = profile.domain.tls !== 'internal' ? profile.domain.acmeServer : undefined;
  return {
    host: host.name,
    ...(host.address !== undefined ? { address: host.address } : {}),
    checks,
    ...(profile.domain.tls === 'internal' && hasCaddy ? { internalCa: { project: `${profile.project.name}-infra`, file: INFRA_FILE, service: 'caddy' } } : {}),
    ...(acmeServer ? { expectedCa: acmeServer.roots } : {}),
  };
}

function siteCheck(base: { id: string; service: string }, name: string, path: string, expectStatus: readonly number[], expectRefused: boolean): SiteCheck {
  return {
    ...base,
    kind: 'site',
    name,
    path,
    expectStatus,
    expectRefused,
    describe: expectRefused ? `https://${name}${path} refused outside the VPN (403)` : `https://${name}${path} answers ${expectStatus.join(' or ')}`,
  };
}
