import { WizardError } from '../../errors.js';
import { Secret } from '../../lib/secret.js';
import type { Step } from '../../plan/step.js';
import { hostServices, servesApex } from '../../profile/effective.js';
import type { Host, Profile } from '../../profile/schema.js';
import type { MaybeSecret } from '../../render/service-env.js';
import { siteName } from '../../render/site-names.js';
import { BUILTIN_TEMPLATES, configText, renderTemplate, type Templates } from '../../render/templates.js';
import { ACME_ABSENT, ACME_APPLY, ACME_CHECK, ACME_REMOVE, ACME_RENEW, PACKAGES_INSTALL, PACKAGES_INSTALLED } from '../../remote/generated-scripts.js';
import { shScript } from '../../shell/script.js';
import { hostLayout } from '../host-layout.js';

export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

const sh = (script: string, ...args: string[]): string[] => shScript(script, 'homelab-wizard', args);

/** Where DNS-01 lives on a host: lego's folder, its settings, and the unit that runs it. */
export function acmeLayout(profile: Profile): { dir: string; certs: string; unit: string } {
  const layout = hostLayout(profile);
  return { dir: `${layout.project}/tls`, certs: `${layout.data}/caddy/certs`, unit: `homelab-wizard-acme-${profile.project.name}` };
}

/** The names this host's Caddy serves: the apex on the first Caddy host, and every site. */
export function servedNames(profile: Profile, host: Host): string[] {
  const services = hostServices(profile, host);
  if (!services.some((s) => s.id === 'caddy')) return [];
  const names = services.flatMap((s) => (s.entry.site ? [siteName(profile, s)] : [])).filter((n): n is string => n !== undefined);
  return [...new Set([...(servesApex(profile, host) ? [profile.domain.name] : []), ...names])];
}

/**
 * A value for a systemd environment file, double-quoted: systemd reads `\\`, `\"`, `` \` `` and
 * `\$` there as the character itself and expands nothing. Line breaks cannot be written.
 */
export function envValue(field: string, value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new WizardError('template-value', `${field} cannot be written into lego's environment file: it holds a line break or a control character`, `check ${field} (OVH keys are letters and digits), then run the command again`);
  }
  return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/**
 * DNS-01 through OVH (`domain.tls: acme-dns-ovh`): lego from Debian obtains one certificate for
 * every name this host serves, run by a systemd unit (a timer renews it when due), and hands it
 * to Caddy as files (src/remote/acme-renew.sh). The stock Caddy image has no OVH module, and a
 * VPN-only site cannot pass HTTP-01: this is how such a site gets a public certificate.
 */
export function acmeDnsSteps(profile: Profile, host: Host, secret: MaybeSecret, templates: Templates = BUILTIN_TEMPLATES): Step[] {
  const names = servedNames(profile, host);
  if (names.length === 0) return [];
  if (profile.domain.tls !== 'acme-dns-ovh') {
    // A profile that left DNS-01 must not leave a timer renewing with OVH keys on disk.
    const { dir, unit } = acmeLayout(profile);
    return [{ id: 'deploy.tls.dns-01-removed', describe: `No DNS-01 renewal left (${unit}.timer, ${dir} with the OVH keys)`, host: host.name, check: { argv: sh(ACME_ABSENT, unit, dir) }, apply: [{ argv: sh(ACME_REMOVE, unit, dir) }], risk: 'safe', effect: 'delete' }];
  }
  const email = profile.domain.acmeEmail ?? profile.notifications.email;
  if (email === undefined) {
    throw new WizardError('profile-invalid', 'domain.acmeEmail is required for acme-dns-ovh (the ACME account needs a contact)', 'set domain.acmeEmail (or notifications.email) in the profile, then run the command again');
  }
  const keys = ['ovh.applicationKey', 'ovh.applicationSecret', 'ovh.consumerKey'] as const;
  const missing = keys.filter((k) => secret(k) === undefined);
  if (missing.length > 0) {
    throw new WizardError('secret-missing', `${host.name}: the vault has no ${missing.join(', ')} (lego needs them for DNS-01 through OVH)`, 'run `homelab-wizard secrets set KEY` for each, then run the command again');
  }
  const { dir, certs, unit } = acmeLayout(profile);
  const server = profile.domain.acmeServer;
  const files = { settings: `${dir}/acme.conf`, credentials: `${dir}/ovh.env`, script: `${dir}/acme-renew.sh`, roots: `${dir}/acme-roots.pem` };
  const settings = [
    `ACME_DIR=${dir}`,
    `ACME_CERTS=${certs}`,
    `ACME_DOMAINS=${envValue('site names', names.join(' '))}`,
    `ACME_EMAIL=${envValue('domain.acmeEmail', email)}`,
    `ACME_SERVER=${envValue('domain.acmeServer.directory', server?.directory ?? LETS_ENCRYPT_DIRECTORY)}`,
    `ACME_RESOLVERS=${envValue('domain.acmeResolvers', (profile.domain.acmeResolvers ?? []).join(' '))}`,
    `ACME_CADDY_PROJECT=${profile.project.name}-infra`,
    ...(server ? [`LEGO_CA_CERTIFICATES=${files.roots}`] : []),
  ].join('\n');
  const credentials = Secret.of(
    [
      `OVH_ENDPOINT=${envValue('providers.ovh.endpoint', profile.providers.ovh.endpoint)}`,
      ...keys.map((k, i) => `${['OVH_APPLICATION_KEY', 'OVH_APPLICATION_SECRET', 'OVH_CONSUMER_KEY'][i]}=${envValue(k, secret(k)?.reveal() ?? '')}`),
    ].join('\n') + '\n',
  );
  const project = configText('project.name', profile.project.name);
  return [
    {
      id: 'deploy.tls.lego',
      describe: 'Install lego (the ACME client of DNS-01) and openssl',
      host: host.name,
      check: { argv: sh(PACKAGES_INSTALLED, 'lego', 'openssl') },
      apply: [{ argv: sh(PACKAGES_INSTALL, 'lego', 'openssl') }],
      risk: 'safe',
      effect: 'create',
    },
    {
      id: 'deploy.tls.certificate',
      describe: `Certificate for ${names.join(', ')} by DNS-01 through OVH, renewed by ${unit}.timer`,
      host: host.name,
      check: { argv: sh(ACME_CHECK, dir, certs, unit, names.join(' ')) },
      checkReports: true,
      dirs: [{ path: dir, mode: '0700', owner: 'root:root' }],
      files: [
        { path: files.settings, mode: '0644', owner: 'root:root', content: `${settings}\n` },
        { path: files.credentials, mode: '0600', owner: 'root:root', content: credentials },
        ...(server ? [{ path: files.roots, mode: '0644', owner: 'root:root', content: server.roots }] : []),
        { path: files.script, mode: '0700', owner: 'root:root', content: `#!/bin/sh\n${ACME_RENEW}\n` },
        { path: `/etc/systemd/system/${unit}.service`, mode: '0644', owner: 'root:root', content: renderTemplate(templates, 'systemd/acme-renew.service.eta', { project, settings: files.settings, credentials: files.credentials, script: files.script }) },
        { path: `/etc/systemd/system/${unit}.timer`, mode: '0644', owner: 'root:root', content: renderTemplate(templates, 'systemd/acme-renew.timer.eta', { project }) },
      ],
      apply: [{ argv: sh(ACME_APPLY, unit, dir) }],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
