import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { WizardError } from '../errors.js';
import type { ExistingRecord } from '../providers/ovh/dns-plan.js';
import { atomicWrite } from '../vault/atomic-write.js';

/** `.homelab/state/<profile>/dns.json`: the ids of the DNS records this tool created, per zone. */
export interface DnsState {
  readonly zone: string;
  readonly records: readonly ExistingRecord[];
}

export function dnsStateFile(dir: string, profile: string): string {
  return path.join(dir, '.homelab', 'state', profile, 'dns.json');
}

export async function readDnsState(dir: string, profile: string): Promise<DnsState | undefined> {
  const file = dnsStateFile(dir, profile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as DnsState;
    if (typeof parsed.zone !== 'string' || !Array.isArray(parsed.records) || parsed.records.some((r) => typeof r.id !== 'number' || typeof r.fieldType !== 'string' || typeof r.subDomain !== 'string')) throw new Error('bad shape');
    return parsed;
  } catch {
    throw new WizardError('provider-error', `${file} is not a DNS state file this tool wrote`, 'restore it from a backup; deleting it makes the next apply create the records again, beside the old ones');
  }
}

export async function writeDnsState(dir: string, profile: string, state: DnsState): Promise<void> {
  const file = dnsStateFile(dir, profile);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await atomicWrite(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
}
