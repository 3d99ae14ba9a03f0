import { NETWORKS } from '../catalog/networks.js';
import { WizardError } from '../errors.js';
import type { EffectiveService } from '../profile/effective.js';
import type { Profile } from '../profile/schema.js';
import { siteName } from './site-names.js';
import { BUILTIN_TEMPLATES, configText, renderTemplate, type Templates } from './templates.js';

/**
 * A Caddyfile token: bare when safe, else double-quoted. Line breaks and control characters are
 * refused, and so are braces: Caddy substitutes `{$ENV}` and `{placeholders}` even inside quotes,
 * so a display name could otherwise print the DNS provider's secret on the home page.
 */
export function caddyQuote(value: string, field = 'a Caddyfile value'): string {
  if (/[\u0000-\u001f\u007f{}]/.test(value)) {
    throw new WizardError('template-value', `${field} cannot be written into the Caddyfile: ${JSON.stringify(value)} holds line breaks, control characters or braces`, `remove it from ${field}, then run the command again`);
  }
  if (/^[A-Za-z0-9._:/@*+-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** In the Caddy container: the roots of `domain.acmeServer` (a release file). */
export const CADDY_ACME_ROOTS = '/etc/caddy/acme-roots.pem';
/** Where the Caddy container sees the certificates lego obtained (DNS-01), and the `tls` line naming the current pair. */
export const CADDY_CERTS_DIR = '/certs';
const CADDY_CERT_IMPORT = `${CADDY_CERTS_DIR}/*.caddy`;

const FRONTEND = NETWORKS.find((n) => n.name === 'frontend')?.subnet ?? '172.20.1.0/24';

export interface CaddyInput {
  readonly profile: Profile;
  readonly services: readonly EffectiveService[];
  /** This host serves the apex domain (the first host of the profile that runs Caddy). */
  readonly servesApex: boolean;
  readonly templates?: Templates;
}

/**
 * The Caddyfile of one host: a site per service (templates/caddy/Caddyfile.eta). VPN-only sites
 * refuse every client outside the VPN range and the Docker frontend bridge (HTTP/3 through
 * Docker's NAT arrives from the bridge gateway: vpai-system L-C1); both ranges in every rule (L-C2).
 */
export function renderCaddyfile({ profile, services, servesApex, templates = BUILTIN_TEMPLATES }: CaddyInput): string {
  const email = profile.domain.acmeEmail ?? profile.notifications.email;
  const sites = services.flatMap((service) => {
    const site = siteName(profile, service);
    if (!site || !service.entry.site) return [];
    return [{ address: caddyQuote(site, `the site name of ${service.id}`), upstream: `${service.id}:${service.entry.site.upstreamPort}`, vpnOnly: service.vpnOnly === true, http1Upstream: service.entry.site.http1Upstream === true }];
  });
  const acmeServer = profile.domain.acmeServer;
  return renderTemplate(templates, 'caddy/Caddyfile.eta', {
    project: configText('project.name', profile.project.name),
    tls: profile.domain.tls,
    acmeServer: acmeServer ? { directory: caddyQuote(acmeServer.directory, 'domain.acmeServer.directory'), roots: CADDY_ACME_ROOTS } : null,
    certImport: CADDY_CERT_IMPORT,
    email: email ? caddyQuote(email, 'domain.acmeEmail') : '',
    apex: servesApex
      ? { address: caddyQuote(profile.domain.name, 'domain.name'), respond: caddyQuote(`${profile.project.displayName ?? profile.project.name}: managed by homelab-wizard`, 'project.displayName') }
      : null,
    sites,
    vpnAllowed: `${caddyQuote(profile.vpn.cidr, 'vpn.cidr')} ${FRONTEND}`,
  });
}
