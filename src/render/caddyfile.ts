import { NETWORKS } from '../catalog/networks.js';
import type { EffectiveService } from '../profile/effective.js';
import type { Profile } from '../profile/schema.js';
import { siteName } from './site-names.js';

/** A Caddyfile token: bare when safe, else double-quoted; newlines and control characters refused. */
export function caddyQuote(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`a Caddyfile value cannot contain control characters: ${JSON.stringify(value)}`);
  if (/^[A-Za-z0-9._:/@*+-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const FRONTEND = NETWORKS.find((n) => n.name === 'frontend')?.subnet ?? '172.20.1.0/24';

export interface CaddyInput {
  readonly profile: Profile;
  readonly services: readonly EffectiveService[];
  /** This host serves the apex domain (the first host of the profile that runs Caddy). */
  readonly servesApex: boolean;
}

/**
 * The Caddyfile of one host: a site per service. VPN-only sites refuse every client outside the
 * VPN range and the Docker frontend bridge (HTTP/3 through Docker's NAT arrives from the bridge
 * gateway: vpai-system L-C1); both ranges in every rule (L-C2).
 */
export function renderCaddyfile({ profile, services, servesApex }: CaddyInput): string {
  const tls = profile.domain.tls;
  const global: string[] = [];
  const email = profile.domain.acmeEmail ?? profile.notifications.email;
  if (email && tls !== 'internal') global.push(`\temail ${caddyQuote(email)}`);
  if (tls === 'internal') global.push('\tlocal_certs');
  if (tls === 'acme-dns-ovh') {
    global.push(
      '\tacme_dns ovh {',
      '\t\tendpoint {$OVH_ENDPOINT}',
      '\t\tapplication_key {$OVH_APPLICATION_KEY}',
      '\t\tapplication_secret {$OVH_APPLICATION_SECRET}',
      '\t\tconsumer_key {$OVH_CONSUMER_KEY}',
      '\t}',
    );
  }
  global.push('\tservers {', '\t\tprotocols h1 h2 h3', '\t}');
  const allowed = `${caddyQuote(profile.vpn.cidr)} ${FRONTEND}`;
  const headers = [
    '\theader {',
    '\t\tStrict-Transport-Security "max-age=31536000; includeSubDomains"',
    '\t\tX-Content-Type-Options nosniff',
    '\t\tReferrer-Policy strict-origin-when-cross-origin',
    '\t\t-Server',
    '\t}',
  ];
  const blocks: string[] = [`{\n${global.join('\n')}\n}`];
  if (servesApex) {
    blocks.push(
      [
        `${caddyQuote(profile.domain.name)} {`,
        ...(tls === 'internal' ? ['\ttls internal'] : []),
        ...headers,
        '\thandle /health {',
        '\t\trespond "OK" 200',
        '\t}',
        '\thandle {',
        `\t\trespond ${caddyQuote(`${profile.project.displayName ?? profile.project.name}: managed by homelab-wizard`)} 200`,
        '\t}',
        '}',
      ].join('\n'),
    );
  }
  for (const service of services) {
    const site = siteName(profile, service);
    if (!site || !service.entry.site) continue;
    const upstream = `${service.id}:${service.entry.site.upstreamPort}`;
    blocks.push(
      [
        `${caddyQuote(site)} {`,
        ...(tls === 'internal' ? ['\ttls internal'] : []),
        ...headers,
        ...(service.vpnOnly
          ? [`\t@outside not remote_ip ${allowed}`, '\trespond @outside "This site is reachable only over the VPN." 403']
          : []),
        service.entry.site.http1Upstream
          ? `\treverse_proxy ${upstream} {\n\t\ttransport http {\n\t\t\tversions 1.1\n\t\t}\n\t}`
          : `\treverse_proxy ${upstream}`,
        '}',
      ].join('\n'),
    );
  }
  return `# written by homelab-wizard for ${profile.project.name}; edits are reported as drift\n${blocks.join('\n\n')}\n`;
}
