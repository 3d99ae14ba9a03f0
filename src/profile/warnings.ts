import type { Issue } from '../errors.js';
import { cidrContains } from './cidr.js';
import { serviceName } from './effective.js';
import type { Host, Profile } from './schema.js';

/** Ranges that are not reachable from the internet: loopback, private, carrier-grade NAT, link-local. */
const PRIVATE_V4 = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];
const PRIVATE_NAMES = /(^localhost$|\.(local|lan|home\.arpa|internal|localhost)$)/;

/** A host the internet can reach: a Hetzner server, or an address outside the private ranges. */
export function isPublicHost(host: Host): boolean {
  if (host.provider.kind === 'hetzner') return true;
  const address = host.address;
  if (address === undefined) return false;
  if (/^[0-9.]+$/.test(address)) return !PRIVATE_V4.some((range) => cidrContains(range, address));
  if (address.includes(':')) return !/^(::1$|f[cd]|fe[89ab])/i.test(address);
  return !PRIVATE_NAMES.test(address);
}

/**
 * What is valid but probably not meant: `profile check` prints these and still exits 0. Pure.
 * A public server without ufw has every port Docker publishes open to the world.
 */
export function profileWarnings(p: Profile): Issue[] {
  const out: Issue[] = [];
  p.hosts.forEach((host, i) => {
    const ids = host.services.map((ref) => serviceName(ref));
    if (isPublicHost(host) && !ids.includes('ufw')) {
      out.push({ path: `hosts[${i}].services`, message: `${host.name} is a public server without a firewall: add ufw (and fail2ban) to its services` });
    }
  });
  // Settings for features this version does not carry out yet: kept, so the profile need not
  // change when they land, but never silently taken for done (a backup that never ran is worse
  // than none: the operator stops making their own).
  if (p.backups.enabled) {
    out.push({ path: 'backups.enabled', message: 'this version does not make backups yet: nothing of this profile is backed up, keep your own backups until it does' });
  }
  if (p.notifications.method !== 'none') {
    out.push({ path: 'notifications.method', message: `this version sends no alerts yet (${p.notifications.method} is kept for when it does): watch \`homelab-wizard status\` and smoke yourself` });
  }
  return out;
}
