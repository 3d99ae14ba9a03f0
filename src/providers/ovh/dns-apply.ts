import type { OvhClient } from './client.js';
import type { DnsChange, ExistingRecord } from './dns-plan.js';

interface OvhRecord {
  readonly id: number;
  readonly fieldType: string;
  readonly subDomain: string;
  readonly target: string;
  readonly ttl: number;
}

/**
 * Applies the changes to the zone, then refreshes it (records are not published before that).
 * Returns the records this tool now owns, for the local state.
 */
export async function applyDns(client: OvhClient, zone: string, changes: readonly DnsChange[], onChange: (line: string) => void = () => {}): Promise<ExistingRecord[]> {
  const base = `/domain/zone/${encodeURIComponent(zone)}/record`;
  const owned: ExistingRecord[] = [];
  let dirty = false;
  for (const change of changes) {
    const { record } = change;
    const name = `${record.subDomain === '' ? '@' : record.subDomain} ${record.fieldType} ${record.target}`;
    if (change.action === 'noop') owned.push({ ...record, id: change.id });
    else if (change.action === 'update') {
      await client.request('PUT', `${base}/${change.id}`, { target: record.target, ttl: record.ttl });
      owned.push({ ...record, id: change.id });
      onChange(`~ ${name} (was ${change.from})`);
      dirty = true;
    } else if (change.action === 'delete') {
      await client.request('DELETE', `${base}/${change.id}`);
      onChange(`- ${name}`);
      dirty = true;
    } else {
      let created = await client.request<OvhRecord>('POST', base, { fieldType: record.fieldType, subDomain: record.subDomain, target: record.target, ttl: record.ttl });
      if (!created?.id) {
        // OVH sometimes answers id 0 (a known API bug): find the record by its fields instead.
        const query = new URLSearchParams({ fieldType: record.fieldType, subDomain: record.subDomain });
        const ids = await client.request<number[]>('GET', `${base}?${query}`);
        const known = new Set(owned.map((o) => o.id));
        const id = Math.max(...ids.filter((x) => !known.has(x)), 0);
        created = { ...record, id };
      }
      owned.push({ ...record, id: created.id });
      onChange(`+ ${name}`);
      dirty = true;
    }
  }
  if (dirty) await client.request('POST', `/domain/zone/${encodeURIComponent(zone)}/refresh`);
  return owned;
}
