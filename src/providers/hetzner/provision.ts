import { WizardError } from '../../errors.js';
import type { Profile } from '../../profile/schema.js';
import type { HcloudClient } from './client.js';
import { cloudInitUserData, type HostKeyPair } from './cloud-init.js';
import { HOST_LABEL, PROFILE_LABEL, type CloudChange, type DesiredServer } from './cloud-plan.js';
import { HcloudError } from './errors.js';
import { md5Fingerprint, sshKeyName } from './ssh-key.js';
import type { HcloudAction, HcloudFirewall, HcloudServer, HcloudServerType, HcloudSshKey } from './types.js';

/** What the API holds for this profile: its labelled servers and firewalls, and the operator's keys. */
export interface CloudSnapshot {
  readonly servers: readonly HcloudServer[];
  readonly firewalls: readonly HcloudFirewall[];
  /** Each operator public key, with the Hetzner key of the same fingerprint when one exists. */
  readonly sshKeys: readonly { readonly publicKey: string; readonly existing?: HcloudSshKey }[];
}

export async function readCloud(client: HcloudClient, profile: Profile): Promise<CloudSnapshot> {
  const label_selector = `${PROFILE_LABEL}=${profile.project.name}`;
  const [servers, firewalls, sshKeys] = await Promise.all([
    client.list<HcloudServer>('/servers', 'servers', { label_selector }),
    client.list<HcloudFirewall>('/firewalls', 'firewalls', { label_selector }),
    Promise.all(
      profile.operator.sshPublicKeys.map(async (publicKey) => {
        const [existing] = await client.list<HcloudSshKey>('/ssh_keys', 'ssh_keys', { fingerprint: md5Fingerprint(publicKey) });
        return existing ? { publicKey, existing } : { publicKey };
      }),
    ),
  ]);
  return { servers, firewalls, sshKeys };
}

/** The address the server is reached at: IPv4, else the first address of its IPv6 network. */
export function serverAddress(server: HcloudServer): string | undefined {
  return server.public_net.ipv4?.ip ?? serverIpv6(server);
}

/** Hetzner gives a /64 (`2001:db8:1::/64`); the server itself answers on `::1` of it. */
export function serverIpv6(server: HcloudServer): string | undefined {
  const net = server.public_net.ipv6?.ip;
  if (!net) return undefined;
  const base = net.replace(/\/\d+$/, '');
  return base.endsWith('::') ? `${base}1` : base;
}

export interface ProvisionCallbacks {
  /** One line for the operator per change or wait. */
  readonly say: (line: string) => void;
  /** The host key for a server about to be created (kept on disk before the create call). */
  readonly hostKey: (host: string) => Promise<HostKeyPair>;
}

async function waitAll(client: HcloudClient, actions: readonly HcloudAction[], what: string): Promise<void> {
  for (const action of actions) await client.waitForAction(action, { what });
}

/** Uploads each operator key Hetzner does not know yet (found by fingerprint first). Returns the key ids. */
export async function ensureSshKeys(client: HcloudClient, snapshot: CloudSnapshot, say: (line: string) => void): Promise<number[]> {
  const ids: number[] = [];
  for (const { publicKey, existing } of snapshot.sshKeys) {
    if (existing) {
      ids.push(existing.id);
      continue;
    }
    const name = sshKeyName(publicKey);
    try {
      const { ssh_key } = await client.request<{ ssh_key: HcloudSshKey }>('POST', '/ssh_keys', { name, public_key: publicKey, labels: { 'managed-by': 'homelab-wizard' } });
      say(`+ SSH key ${name} uploaded (${md5Fingerprint(publicKey)})`);
      ids.push(ssh_key.id);
    } catch (error) {
      // Uploaded by a run that was killed before it could tell: look it up again.
      if (error instanceof HcloudError && error.apiCode === 'uniqueness_error') {
        const [again] = await client.list<HcloudSshKey>('/ssh_keys', 'ssh_keys', { fingerprint: md5Fingerprint(publicKey) });
        if (again) {
          ids.push(again.id);
          continue;
        }
      }
      throw error;
    }
  }
  return ids;
}

/** The firewall of a host: created, updated or left alone as planned. Returns its id. */
export async function ensureFirewall(client: HcloudClient, want: DesiredServer, change: CloudChange | undefined, say: (line: string) => void): Promise<number> {
  if (change?.action === 'create') {
    const { firewall, actions } = await client.request<{ firewall: HcloudFirewall; actions: HcloudAction[] }>('POST', '/firewalls', {
      name: want.firewall.name,
      labels: want.labels,
      rules: want.firewall.rules,
    });
    await waitAll(client, actions, `setting the rules of firewall ${want.firewall.name}`);
    say(`+ firewall ${want.firewall.name}: ${want.firewall.rules.map((r) => `${r.protocol}/${r.port}`).join(' ')}`);
    return firewall.id;
  }
  if (change?.action === 'update') {
    const { actions } = await client.request<{ actions: HcloudAction[] }>('POST', `/firewalls/${change.id}/actions/set_rules`, { rules: want.firewall.rules });
    await waitAll(client, actions, `updating the rules of firewall ${want.firewall.name}`);
    say(`~ firewall ${want.firewall.name}: rules set to ${want.firewall.rules.map((r) => `${r.protocol}/${r.port}`).join(' ')}`);
    return change.id;
  }
  if (change && 'id' in change) return change.id;
  throw new WizardError('internal', `no firewall planned for ${want.host}`, 'this is a bug in homelab-wizard; report it');
}

/**
 * `resource_unavailable`: say where this type can be had and which types this location has,
 * read from the API (availability changes; a list in the code would lie).
 */
export async function explainUnavailable(client: HcloudClient, want: DesiredServer, cause: HcloudError): Promise<WizardError> {
  let hint = `change hosts[].provider.serverType or .location of ${want.host} in the profile, or run again later`;
  try {
    const types = await client.list<HcloudServerType>('/server_types', 'server_types');
    const wanted = types.find((t) => t.name === want.serverType);
    const where = (wanted?.locations ?? []).filter((l) => l.available !== false && l.name !== want.location).map((l) => l.name);
    const here = types
      .filter((t) => t.name !== want.serverType && (!wanted || t.architecture === wanted.architecture))
      .filter((t) => (t.locations ?? []).some((l) => l.name === want.location && l.available !== false))
      .map((t) => t.name);
    hint = `${want.serverType} is available in: ${where.join(', ') || 'no other location'}; ${want.location} has: ${here.join(', ') || 'no other type'} (set hosts[].provider.location or .serverType of ${want.host})`;
  } catch {
    // The explanation is a courtesy: the original error still stands.
  }
  return new WizardError('provider-error', `Hetzner cannot create a ${want.serverType} in ${want.location} now: ${cause.message.replace(/^Hetzner API: /, '')}`, hint, { cause });
}

/** Creates the server with the pinned host key in its user data; waits for its actions. */
export async function createServer(client: HcloudClient, want: DesiredServer, sshKeyIds: readonly number[], firewallId: number, hostKey: HostKeyPair, say: (line: string) => void): Promise<HcloudServer> {
  let created: { server: HcloudServer; action: HcloudAction; next_actions: HcloudAction[] };
  try {
    created = await client.request('POST', '/servers', {
      name: want.name,
      server_type: want.serverType,
      location: want.location,
      image: want.image,
      ssh_keys: sshKeyIds,
      firewalls: [{ firewall: firewallId }],
      labels: want.labels,
      user_data: cloudInitUserData(hostKey).reveal(),
      public_net: { enable_ipv4: true, enable_ipv6: true },
      start_after_create: true,
    });
  } catch (error) {
    if (error instanceof HcloudError && error.apiCode === 'resource_unavailable') throw await explainUnavailable(client, want, error);
    throw error;
  }
  say(`+ server ${want.name} (${want.serverType} in ${want.location}, ${want.image}) created; waiting for it to boot`);
  await waitAll(client, [created.action, ...created.next_actions], `creating server ${want.name}`);
  return (await client.request<{ server: HcloudServer }>('GET', `/servers/${created.server.id}`)).server;
}

/** A server labelled for this profile whose host left the profile: its firewall goes with it. */
export async function deleteServer(client: HcloudClient, server: HcloudServer, firewalls: readonly HcloudFirewall[], say: (line: string) => void): Promise<void> {
  const { action } = await client.request<{ action: HcloudAction }>('DELETE', `/servers/${server.id}`);
  await client.waitForAction(action, { what: `deleting server ${server.name}` });
  say(`- server ${server.name} deleted`);
  const host = server.labels[HOST_LABEL];
  for (const fw of firewalls.filter((f) => f.labels[HOST_LABEL] === host)) {
    await client.request('DELETE', `/firewalls/${fw.id}`);
    say(`- firewall ${fw.name} deleted`);
  }
}

/** Attaches the host's firewall to an existing server that lacks it (a run killed in between). */
export async function ensureFirewallApplied(client: HcloudClient, server: HcloudServer, firewallId: number, say: (line: string) => void): Promise<boolean> {
  if ((server.public_net.firewalls ?? []).some((f) => f.id === firewallId)) return false;
  const { actions } = await client.request<{ actions: HcloudAction[] }>('POST', `/firewalls/${firewallId}/actions/apply_to_resources`, { apply_to: [{ type: 'server', server: { id: server.id } }] });
  await waitAll(client, actions, `applying the firewall to ${server.name}`);
  say(`~ firewall applied to ${server.name}`);
  return true;
}
