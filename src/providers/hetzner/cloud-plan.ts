import { serviceName } from '../../profile/effective.js';
import type { Host, Profile } from '../../profile/schema.js';
import type { HcloudFirewall, HcloudFirewallRule, HcloudServer } from './types.js';

export const PROFILE_LABEL = 'homelab-wizard/profile';
export const HOST_LABEL = 'homelab-wizard/host';

export interface DesiredServer {
  readonly host: string;
  /** Server names are unique per Hetzner project, so the project name is part of it. */
  readonly name: string;
  readonly serverType: string;
  readonly location: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly firewall: { readonly name: string; readonly rules: readonly HcloudFirewallRule[] };
}

export type CloudChange =
  | { readonly action: 'create'; readonly host: string; readonly what: 'server' | 'firewall'; readonly reason: string }
  | { readonly action: 'update'; readonly host: string; readonly what: 'firewall'; readonly id: number; readonly reason: string }
  | { readonly action: 'delete'; readonly host: string; readonly what: 'server'; readonly id: number; readonly reason: string }
  | { readonly action: 'noop'; readonly host: string; readonly what: 'server' | 'firewall'; readonly id: number; readonly reason: string }
  | { readonly action: 'drift'; readonly host: string; readonly what: 'server'; readonly id: number; readonly reason: string };

const ANY = ['0.0.0.0/0', '::/0'];
const tcp = (port: number | string, description: string): HcloudFirewallRule => ({ direction: 'in', protocol: 'tcp', port: String(port), source_ips: ANY, description });
const udp = (port: number | string, description: string): HcloudFirewallRule => ({ direction: 'in', protocol: 'udp', port: String(port), source_ips: ANY, description });

/**
 * The provider firewall: SSH on the old and the new port (the move closes the old one on the
 * host; this firewall keeps both so a failed move can be retried), web ports only where a public
 * site lives. Nothing else: Docker cannot bypass this one (anchors A5.4).
 */
export function firewallRulesFor(profile: Profile, host: Host): HcloudFirewallRule[] {
  const ids = new Set(host.services.map(serviceName));
  const rules = [...new Set([host.ssh.port, host.ssh.targetPort])].map((p) => tcp(p, `SSH ${p}`));
  const web = ids.has('caddy') || ids.has('headscale');
  if (web && (profile.access.mode === 'public' || ids.has('headscale'))) {
    rules.push(tcp(80, 'HTTP (ACME, redirect)'), tcp(443, 'HTTPS'), udp(443, 'HTTP/3'));
  }
  if (ids.has('tailscale')) rules.push(udp(41641, 'Tailscale direct'));
  if (ids.has('headscale')) rules.push(udp(3478, 'Headscale STUN'));
  return rules;
}

export function desiredServers(profile: Profile): DesiredServer[] {
  return profile.hosts.flatMap((host) =>
    host.provider.kind === 'hetzner'
      ? [
          {
            host: host.name,
            name: `${profile.project.name}-${host.name}`,
            serverType: host.provider.serverType,
            location: host.provider.location,
            image: host.provider.image,
            labels: { [PROFILE_LABEL]: profile.project.name, [HOST_LABEL]: host.name },
            firewall: { name: `${profile.project.name}-${host.name}`, rules: firewallRulesFor(profile, host) },
          },
        ]
      : [],
  );
}

const ruleKey = (r: HcloudFirewallRule): string =>
  JSON.stringify([r.direction, r.protocol, r.port ?? null, [...r.source_ips].sort(), [...(r.destination_ips ?? [])].sort()]);

export function sameRules(a: readonly HcloudFirewallRule[], b: readonly HcloudFirewallRule[]): boolean {
  const x = a.map(ruleKey).sort();
  const y = b.map(ruleKey).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

/**
 * Desired servers against what the API lists under this profile's label: Terraform's plan for
 * the cloud part. Pure. A labelled server no longer in the profile is a delete (needs
 * --allow-destroy); a server whose type, location or image differs is drift, never a silent rebuild.
 */
export function planCloud(
  profile: string,
  desired: readonly DesiredServer[],
  actual: { readonly servers: readonly HcloudServer[]; readonly firewalls: readonly HcloudFirewall[] },
): CloudChange[] {
  const changes: CloudChange[] = [];
  const mine = actual.servers.filter((s) => s.labels[PROFILE_LABEL] === profile);
  for (const want of desired) {
    const fw = actual.firewalls.find((f) => f.labels[PROFILE_LABEL] === profile && f.labels[HOST_LABEL] === want.host);
    const server = mine.find((s) => s.labels[HOST_LABEL] === want.host);
    // A run killed between creating the firewall and the server leaves it unattached.
    const detached = fw !== undefined && server !== undefined && !(server.public_net.firewalls ?? []).some((f) => f.id === fw.id);
    if (!fw) changes.push({ action: 'create', host: want.host, what: 'firewall', reason: `firewall ${want.firewall.name}: ${want.firewall.rules.map((r) => `${r.protocol}/${r.port}`).join(' ')}` });
    else if (!sameRules(fw.rules, want.firewall.rules)) changes.push({ action: 'update', host: want.host, what: 'firewall', id: fw.id, reason: 'rules differ from the profile' });
    else if (detached) changes.push({ action: 'update', host: want.host, what: 'firewall', id: fw.id, reason: `not applied to ${server.name}` });
    else changes.push({ action: 'noop', host: want.host, what: 'firewall', id: fw.id, reason: 'rules as in the profile' });

    if (!server) {
      changes.push({ action: 'create', host: want.host, what: 'server', reason: `${want.serverType} in ${want.location}, ${want.image}` });
      continue;
    }
    const differs = [
      server.server_type.name !== want.serverType ? `type ${server.server_type.name} (profile: ${want.serverType})` : '',
      server.location && server.location.name !== want.location ? `location ${server.location.name} (profile: ${want.location})` : '',
    ].filter(Boolean);
    if (differs.length > 0) changes.push({ action: 'drift', host: want.host, what: 'server', id: server.id, reason: `${differs.join(', ')}: change it in the Console, or delete the server to recreate it` });
    else changes.push({ action: 'noop', host: want.host, what: 'server', id: server.id, reason: `${server.name} at ${server.public_net.ipv4?.ip ?? 'no IPv4'}` });
  }
  for (const server of mine) {
    const host = server.labels[HOST_LABEL] ?? '?';
    if (!desired.some((d) => d.host === host)) changes.push({ action: 'delete', host, what: 'server', id: server.id, reason: `${server.name} is labelled for this profile but host '${host}' is no longer in it` });
  }
  return changes;
}
