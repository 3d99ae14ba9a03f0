import type { Profile } from '../../profile/schema.js';
import { hostServices, servesApex } from '../../profile/effective.js';

export interface DnsRecord {
  readonly fieldType: 'A' | 'AAAA';
  readonly subDomain: string;
  readonly target: string;
  readonly ttl: number;
}

export interface ExistingRecord extends DnsRecord {
  readonly id: number;
}

export type DnsChange =
  | { readonly action: 'create'; readonly record: DnsRecord }
  | { readonly action: 'update'; readonly id: number; readonly record: DnsRecord; readonly from: string }
  | { readonly action: 'delete'; readonly id: number; readonly record: DnsRecord }
  | { readonly action: 'noop'; readonly id: number; readonly record: DnsRecord };

const TTL = 300;

/**
 * The records the profile needs: every site name (and the apex, on the first host with Caddy)
 * pointing at its host. VPN-only sites point at the host's VPN address once it is known, so
 * they resolve only inside the mesh (vpai-system §0.2).
 */
export function desiredRecords(profile: Profile, ipv6: ReadonlyMap<string, string> = new Map()): DnsRecord[] {
  const records: DnsRecord[] = [];
  for (const host of profile.hosts) {
    if (!host.address || !/^[0-9.]+$/.test(host.address)) continue;
    const add = (subDomain: string, vpnOnly: boolean) => {
      const target = vpnOnly && host.tailscaleIp ? host.tailscaleIp : host.address!;
      records.push({ fieldType: 'A', subDomain, target, ttl: TTL });
      const v6 = ipv6.get(host.name);
      if (v6 && !(vpnOnly && host.tailscaleIp)) records.push({ fieldType: 'AAAA', subDomain, target: v6, ttl: TTL });
    };
    if (servesApex(profile, host)) add('', false);
    for (const service of hostServices(profile, host)) if (service.subdomain !== undefined) add(service.subdomain, service.vpnOnly === true);
  }
  return records;
}

const key = (r: Pick<DnsRecord, 'fieldType' | 'subDomain'>): string => `${r.fieldType} ${r.subDomain}`;

/**
 * Desired against the records this tool created (their ids are kept in local state): it never
 * touches a record it did not create, even one with the same name.
 */
export function planDns(desired: readonly DnsRecord[], owned: readonly ExistingRecord[]): DnsChange[] {
  const changes: DnsChange[] = [];
  for (const record of desired) {
    const mine = owned.find((o) => key(o) === key(record));
    if (!mine) changes.push({ action: 'create', record });
    else if (mine.target !== record.target || mine.ttl !== record.ttl) changes.push({ action: 'update', id: mine.id, record, from: mine.target });
    else changes.push({ action: 'noop', id: mine.id, record });
  }
  for (const o of owned) if (!desired.some((d) => key(d) === key(o))) changes.push({ action: 'delete', id: o.id, record: o });
  return changes;
}
