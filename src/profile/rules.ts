import { findService } from '../catalog/catalog.js';
import { DOCKER_ADDRESS_POOL } from '../catalog/networks.js';
import { HOST_ROLES } from '../catalog/types.js';
import type { Issue } from '../errors.js';
import { cidrContains, cidrsOverlap } from './cidr.js';
import type { Profile } from './schema.js';
import { serviceName } from './effective.js';

/**
 * Rules that span fields: references between hosts, dependencies, clashes. Pure.
 * Written defensively (optional chaining throughout) because they also run on a profile whose
 * shape has errors, so that every problem is reported in one go.
 */
export function crossFieldIssues(p: Profile): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const hosts = Array.isArray(p?.hosts) ? p.hosts : [];
  const hostNames = hosts.map((h) => h?.name);

  hosts.forEach((host, i) => {
    const at = `hosts[${i}]`;
    const first = hostNames.indexOf(host?.name);
    if (host?.name !== undefined && first !== i) add(`${at}.name`, `'${host.name}' is already the name of hosts[${first}]; host names must be unique`);
    if (host?.address !== undefined) {
      const same = hosts.findIndex((h) => h?.address === host.address);
      if (same !== i) add(`${at}.address`, `${host.address} is already the address of hosts[${same}]`);
    }
    if (host?.provider?.kind === 'existing' && host.address === undefined) {
      add(`${at}.address`, 'is required for an existing server (or set provider.kind: hetzner to create one)');
    }
    if (host?.ssh?.adminUser === 'root') add(`${at}.ssh.adminUser`, 'must not be root: hardening disables root login');
    const jump = host?.ssh?.jumpHost;
    if (jump !== undefined) {
      if (jump === host.name) add(`${at}.ssh.jumpHost`, 'cannot be the host itself');
      else if (!hostNames.includes(jump)) add(`${at}.ssh.jumpHost`, `'${jump}' is not a host of this profile`);
    }
    if (host?.tailscaleIp !== undefined && typeof p?.vpn?.cidr === 'string' && !cidrContains(p.vpn.cidr, host.tailscaleIp)) {
      add(`${at}.tailscaleIp`, `${host.tailscaleIp} is outside the VPN range ${p.vpn.cidr}`);
    }

    const services = Array.isArray(host?.services) ? host.services : [];
    const ids = services.map((ref) => serviceName(ref));
    const published = new Map<number, string>();
    services.forEach((ref, j) => {
      const id = serviceName(ref);
      const entry = findService(id);
      if (!entry) return; // reported by the shape check
      const sat = `${at}.services[${j}]`;
      if (ids.indexOf(id) !== j) add(sat, `'${id}' is listed twice on this host`);
      if ((HOST_ROLES as readonly string[]).includes(host?.role) && !entry.roles.includes(host.role)) {
        add(sat, `'${id}' cannot run on a ${host.role} host; it runs on: ${entry.roles.join(', ')}`);
      }
      for (const dep of entry.dependsOn) {
        if (!ids.includes(dep)) add(sat, `'${id}' needs '${dep}' on the same host; add it to hosts[${i}].services`);
      }
      for (const portSpec of entry.ports) if (portSpec.published !== undefined) published.set(portSpec.published, id);
      if (typeof ref !== 'string' && ref.vpnOnly === true && p?.vpn?.enabled !== true) {
        add(`${sat}.vpnOnly`, 'needs the VPN: set vpn.enabled: true');
      }
      if (typeof ref !== 'string' && (ref.subdomain !== undefined || ref.vpnOnly !== undefined) && !entry.site) {
        add(sat, `'${id}' has no web site, so subdomain and vpnOnly do not apply`);
      }
    });
    for (const key of ['port', 'targetPort'] as const) {
      const value = host?.ssh?.[key];
      if (typeof value === 'number' && published.has(value)) {
        add(`${at}.ssh.${key}`, `port ${value} is already published by '${published.get(value)}' on this host`);
      }
    }
  });

  // One site name per service across the fleet: two sites on one name would shadow each other.
  const siteOwners = new Map<string, string>();
  hosts.forEach((host, i) => {
    (Array.isArray(host?.services) ? host.services : []).forEach((ref, j) => {
      const entry = findService(serviceName(ref));
      if (!entry?.site) return;
      const sub = (typeof ref === 'string' ? undefined : ref.subdomain) ?? entry.site.defaultSubdomain;
      const path = `hosts[${i}].services[${j}]`;
      const owner = siteOwners.get(sub);
      if (owner !== undefined) add(path, `subdomain '${sub}' is already used by ${owner}; set a different subdomain`);
      else siteOwners.set(sub, path);
    });
  });

  if (p?.access?.mode === 'vpn-only' && p?.vpn?.enabled !== true) add('access.mode', 'vpn-only needs the VPN: set vpn.enabled: true');
  if (p?.vpn?.enabled === true && p.vpn.headscaleUrl === undefined) add('vpn.headscaleUrl', 'is required when the VPN is enabled');
  if (p?.vpn?.hub !== undefined) {
    const hub = hosts.find((h) => h?.name === p.vpn.hub);
    if (!hub) add('vpn.hub', `'${p.vpn.hub}' is not a host of this profile`);
    else if (hub.role !== 'vpn-hub') add('vpn.hub', `'${hub.name}' has role ${hub.role}; the hub needs role vpn-hub`);
  }
  if (typeof p?.vpn?.cidr === 'string' && cidrsOverlap(p.vpn.cidr, DOCKER_ADDRESS_POOL)) {
    add('vpn.cidr', `overlaps the Docker networks (${DOCKER_ADDRESS_POOL}); pick another range such as 100.64.0.0/10`);
  }
  if (p?.domain?.tls === 'acme-dns-ovh' && p.domain.dnsProvider !== 'ovh') add('domain.tls', 'acme-dns-ovh needs domain.dnsProvider: ovh');
  if (p?.domain?.tls === 'acme-dns-ovh' && p.domain.acmeEmail === undefined && p?.notifications?.email === undefined) {
    add('domain.acmeEmail', 'is required for acme-dns-ovh (the ACME account needs a contact); or set notifications.email');
  }
  // Let's Encrypt validates HTTP-01 from the internet; with the VPN on, a VPN-only site's name leads
  // to the host's VPN address (dns-plan.ts), so that validation can never pass.
  if (p?.domain?.tls === 'acme-http' && p?.vpn?.enabled === true) {
    const vpnOnlySites = hosts.flatMap((host, i) =>
      (Array.isArray(host?.services) ? host.services : []).flatMap((ref, j) => {
        const site = findService(serviceName(ref))?.site;
        if (!site) return [];
        const override = typeof ref === 'string' ? undefined : ref.vpnOnly;
        const vpnOnly = override ?? (p?.access?.mode === 'vpn-only' ? true : site.vpnOnlyDefault);
        return vpnOnly === true ? [`hosts[${i}].services[${j}] (${serviceName(ref)})`] : [];
      }),
    );
    if (vpnOnlySites.length > 0) {
      add('domain.tls', `acme-http cannot get a certificate for a VPN-only site (${vpnOnlySites.join(', ')}): Let's Encrypt must reach it on port 80 from the internet; use acme-dns-ovh (DNS-01, works behind the VPN) or internal`);
    }
  }
  if (p?.notifications?.method === 'telegram' && p.notifications.telegram === undefined) {
    add('notifications.telegram.chatId', 'is required when notifications go to Telegram');
  }
  if (p?.notifications?.method === 'email' && p.notifications.email === undefined) {
    add('notifications.email', 'is required when notifications go by e-mail');
  }
  if (p?.backups?.enabled === true && p.backups.s3 === undefined) add('backups.s3', 'is required when backups are enabled');
  // OpenClaw asks LiteLLM for its default model by alias: an alias LiteLLM does not serve fails every agent turn.
  const defaultModel = p?.openclaw?.defaultModel;
  if (typeof defaultModel === 'string') {
    const aliases = (Array.isArray(p?.litellm?.models) ? p.litellm.models : []).map((m) => m?.alias).filter((a): a is string => typeof a === 'string');
    if (!aliases.includes(defaultModel)) {
      add('openclaw.defaultModel', aliases.length === 0
        ? `'${defaultModel}' is not a LiteLLM model: litellm.models is empty; add the model there first`
        : `'${defaultModel}' is not a LiteLLM model of this profile; choose one of litellm.models[].alias: ${aliases.join(', ')}`);
    }
  }
  return issues;
}
