import type { OvhClient } from './client.js';
import type { DnsChange, DnsRecord, ExistingRecord } from './dns-plan.js';

interface OvhRecord {
  readonly id: number;
  readonly fieldType: string;
  readonly subDomain: string;
  readonly target: string;
  readonly ttl: number;
}

export interface ApplyDnsOptions {
  /** Told each change as `+ www A 203.0.113.10`. */
  readonly onChange?: (line: string) => void;
  /**
   * Called with the records this tool owns after every change, so a run that dies half-way
   * still knows the ids it created (a rerun must not create them twice).
   */
  readonly save: (owned: readonly ExistingRecord[]) => Promise<void>;
}

const recordPath = (zone: string): string => `/domain/zone/${encodeURIComponent(zone)}/record`;

/** Ids of the records with exactly this type and name (OVH filters are LIKE matches: re-checked by the caller's use). */
async function idsOf(client: OvhClient, zone: string, record: Pick<DnsRecord, 'fieldType' | 'subDomain'>): Promise<number[]> {
  const query = new URLSearchParams({ fieldType: record.fieldType, subDomain: record.subDomain });
  return client.request<number[]>('GET', `${recordPath(zone)}?${query}`);
}

/** The records as the API holds them now; ids that no longer exist (deleted in the Console) are left out. */
export async function readOwned(client: OvhClient, zone: string, owned: readonly ExistingRecord[]): Promise<ExistingRecord[]> {
  const out: ExistingRecord[] = [];
  for (const record of owned) {
    try {
      const live = await client.request<OvhRecord>('GET', `${recordPath(zone)}/${record.id}`);
      if (live.fieldType === record.fieldType && live.subDomain === record.subDomain) out.push({ ...record, target: live.target, ttl: live.ttl });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  return out;
}

/**
 * Applies the changes to the zone, then refreshes it (records are not published before that).
 * Returns the records this tool now owns; `save` has seen every intermediate state.
 */
export async function applyDns(client: OvhClient, zone: string, changes: readonly DnsChange[], owned: readonly ExistingRecord[], options: ApplyDnsOptions): Promise<ExistingRecord[]> {
  const base = recordPath(zone);
  const state = new Map(owned.map((r) => [r.id, r]));
  const onChange = options.onChange ?? (() => {});
  let dirty = false;
  try {
    for (const change of changes) {
      const { record } = change;
      const name = `${record.subDomain === '' ? '@' : record.subDomain} ${record.fieldType} ${record.target}`;
      if (change.action === 'noop') continue;
      if (change.action === 'update') {
        await client.request('PUT', `${base}/${change.id}`, { target: record.target, ttl: record.ttl });
        state.set(change.id, { ...record, id: change.id });
        onChange(`~ ${name} (was ${change.from})`);
      } else if (change.action === 'delete') {
        await client.request('DELETE', `${base}/${change.id}`);
        state.delete(change.id);
        onChange(`- ${name}`);
      } else {
        const before = new Set(await idsOf(client, zone, record));
        const created = await client.request<OvhRecord | null>('POST', base, { fieldType: record.fieldType, subDomain: record.subDomain, target: record.target, ttl: record.ttl });
        let id = created?.id ?? 0;
        if (!id) {
          // OVH sometimes answers id 0 (a known API bug): the new id is the one that was not there before.
          const fresh = (await idsOf(client, zone, record)).filter((x) => !before.has(x));
          id = fresh.length > 0 ? Math.max(...fresh) : 0;
        }
        if (id) state.set(id, { ...record, id });
        onChange(`+ ${name}${id ? '' : ' (OVH did not say its id: it will not be managed)'}`);
      }
      dirty = true;
      await options.save([...state.values()]);
    }
  } finally {
    // Publish what was written even when a later change failed: the zone then matches the state file.
    if (dirty) await client.request('POST', `/domain/zone/${encodeURIComponent(zone)}/refresh`);
  }
  return [...state.values()];
}
