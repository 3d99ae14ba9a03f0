import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import { DestructiveRefusedError } from '../engine/errors.js';
import type { Secret } from '../lib/secret.js';
import type { Action } from '../plan/change.js';
import { profilePaths } from '../profile/paths.js';
import type { Host, Profile } from '../profile/schema.js';
import { HcloudClient } from '../providers/hetzner/client.js';
import { HcloudError } from '../providers/hetzner/errors.js';
import { desiredServers, planCloud, type CloudChange, type DesiredServer } from '../providers/hetzner/cloud-plan.js';
import { dropPendingHostKey, ensureHostKey, pendingHostKey } from '../providers/hetzner/host-key.js';
import {
  createServer, deleteServer, ensureFirewall, ensureFirewallApplied, ensureSshKeys, readCloud, serverAddress, serverIpv6, type CloudSnapshot,
} from '../providers/hetzner/provision.js';
import type { HcloudServer } from '../providers/hetzner/types.js';
import { waitForSsh } from '../providers/hetzner/wait-for-ssh.js';
import { OvhClient } from '../providers/ovh/client.js';
import { applyDns, readOwned } from '../providers/ovh/dns-apply.js';
import { desiredRecords, planDns, type DnsChange, type ExistingRecord } from '../providers/ovh/dns-plan.js';
import type { IdentityProvider } from '../vault/identity.js';
import { openVault, type Vault } from '../vault/vault.js';
import { readDnsState, writeDnsState } from './dns-state.js';
import type { EngineSetup } from '../session/engine-setup.js';
import { pinHostKey } from './known-hosts-pin.js';
import { writeBackAddresses } from './address-writeback.js';
import { wantsDns, wantsProvision } from './cloud-work.js';
import { identityFor } from '../session/vault-access.js';

/** One line of the provision or dns phase, shown in `plan` like a step. */
export interface CloudStep {
  readonly phase: 'provision' | 'dns';
  readonly host: string;
  readonly id: string;
  readonly describe: string;
  readonly action: Action;
  readonly risk: 'safe' | 'destructive';
  readonly reasons: readonly string[];
}

export interface CloudContext {
  readonly global: GlobalOptions;
  readonly io: Io;
  readonly setup: EngineSetup;
}

const SSH_WAIT_MS = 5 * 60_000;

/** The vault, opened once and only when a cloud phase needs it. */
class Credentials {
  private vault: Promise<Vault> | undefined;
  readonly identity: IdentityProvider;

  constructor(private readonly ctx: CloudContext) {
    this.identity = identityFor(ctx.global, ctx.io);
  }

  async get(key: string, why: string): Promise<Secret> {
    this.vault ??= openVault(this.ctx.global.dir, this.ctx.setup.vault.vaultName, { identity: this.identity });
    const value = (await this.vault).get(key);
    if (!value) throw new WizardError('secret-missing', `the vault has no ${key}, which ${why}`, `store it with \`homelab-wizard secrets set ${key}\``);
    return value;
  }
}

/**
 * `plan` asks the API once, for at most PLAN_API_TIMEOUT_MS: when it cannot be reached, its lines
 * are `?` and the SSH hosts are still planned (apply keeps the patient client: it must succeed).
 */
export const PLAN_API_TIMEOUT_MS = 10_000;

function hetznerClient(ctx: CloudContext, token: Secret, forPlan = false): HcloudClient {
  // Like the official CLI: HCLOUD_ENDPOINT wins over the profile.
  const endpoint = ctx.io.env['HCLOUD_ENDPOINT'] || ctx.setup.profile.providers.hetzner.endpoint;
  return new HcloudClient({ endpoint, token, onWait: (line) => ctx.io.stderr(`provision: ${line}\n`), ...(forPlan ? { networkRetries: 0, requestTimeoutMs: PLAN_API_TIMEOUT_MS } : {}) });
}

async function ovhClient(ctx: CloudContext, creds: Credentials): Promise<OvhClient> {
  const why = 'the dns phase needs (domain.dnsProvider: ovh)';
  const [applicationKey, applicationSecret, consumerKey] = [await creds.get('ovh.applicationKey', why), await creds.get('ovh.applicationSecret', why), await creds.get('ovh.consumerKey', why)];
  return new OvhClient({ endpoint: ctx.setup.profile.providers.ovh.endpoint, credentials: { applicationKey, applicationSecret, consumerKey } });
}

const TOKEN_WHY = 'the provision phase needs for Hetzner hosts';

// ---- provision -----------------------------------------------------------------------------------

interface ProvisionPlan {
  readonly snapshot: CloudSnapshot;
  readonly desired: readonly DesiredServer[];
  readonly changes: readonly CloudChange[];
  /** Existing servers whose provisioning is not finished: address not in the profile, host key not pinned. */
  readonly unfinished: ReadonlyMap<string, string[]>;
}

async function planProvision(ctx: CloudContext, client: HcloudClient): Promise<ProvisionPlan> {
  const { profile, profileName } = ctx.setup;
  const desired = desiredServers(profile);
  const snapshot = await readCloud(client, profile);
  const selected = new Set(ctx.setup.work.map((w) => w.host.name));
  const everyHost = selected.size === profile.hosts.length;
  const changes = planCloud(profile.project.name, desired, snapshot).filter((c) => selected.has(c.host) || (c.action === 'delete' && everyHost));
  const unfinished = new Map<string, string[]>();
  for (const c of changes) {
    if (c.what !== 'server' || (c.action !== 'noop' && c.action !== 'drift')) continue;
    const server = snapshot.servers.find((s) => s.id === c.id) as HcloudServer;
    const host = profile.hosts.find((h) => h.name === c.host) as Host;
    const reasons: string[] = [];
    const address = serverAddress(server);
    if (address && address !== host.address) reasons.push(`address ${address} to write into the profile${host.address ? ` (was ${host.address})` : ''}`);
    if (await pendingHostKey(ctx.global.dir, profileName, host.name)) reasons.push('host key to pin');
    if (reasons.length > 0) unfinished.set(host.name, reasons);
  }
  return { snapshot, desired, changes, unfinished };
}

const SYMBOL: Record<CloudChange['action'], Action> = { create: '+', update: '~', delete: '-', noop: '=', drift: '=' };

function provisionSteps(plan: ProvisionPlan): CloudStep[] {
  const steps: CloudStep[] = [];
  const firstCreate = plan.changes.find((c) => c.action === 'create' && c.what === 'server');
  const missingKeys = plan.snapshot.sshKeys.filter((k) => !k.existing);
  if (firstCreate && missingKeys.length > 0) {
    steps.push({ phase: 'provision', host: firstCreate.host, id: 'provision.ssh-key', describe: `upload ${missingKeys.length} operator SSH key${missingKeys.length === 1 ? '' : 's'} to Hetzner`, action: '+', risk: 'safe', reasons: ['not found by fingerprint'] });
  }
  for (const c of plan.changes) {
    const want = plan.desired.find((d) => d.host === c.host);
    if (c.what === 'firewall') {
      steps.push({ phase: 'provision', host: c.host, id: 'provision.firewall', describe: `Hetzner firewall ${want?.firewall.name ?? c.host}`, action: SYMBOL[c.action], risk: 'safe', reasons: c.action === 'noop' ? [] : [c.reason] });
      continue;
    }
    const unfinished = plan.unfinished.get(c.host);
    const action: Action = unfinished && c.action !== 'delete' && c.action !== 'create' ? '~' : SYMBOL[c.action];
    const describe = c.action === 'delete' ? `delete Hetzner server (host no longer in the profile)` : `Hetzner server ${want?.name ?? c.host} (${want?.serverType} in ${want?.location}, ${want?.image})`;
    const reasons = [...(c.action === 'noop' ? [] : [c.reason]), ...(unfinished ?? [])];
    steps.push({ phase: 'provision', host: c.host, id: 'provision.server', describe, action, risk: c.action === 'delete' ? 'destructive' : 'safe', reasons });
  }
  return steps;
}

async function confirmDestroy(ctx: CloudContext, what: readonly string[]): Promise<void> {
  if (ctx.global.nonInteractive) throw new DestructiveRefusedError(what.join(', '));
  ctx.io.stderr(`These changes destroy servers:\n${what.map((d) => `  - ${d}`).join('\n')}\n`);
  const answer = await ctx.io.prompts.line(`Type the profile name (${ctx.setup.profileName}) to go on:`);
  if (answer.trim() !== ctx.setup.profileName) throw new DestructiveRefusedError(what.join(', '));
}

/** Pin the pending host key (if any), forget it, then wait for sshd: bounded, and said. */
async function finishServer(ctx: CloudContext, host: Host, address: string, say: (line: string) => void): Promise<void> {
  const { dir } = ctx.global;
  const pending = await pendingHostKey(dir, ctx.setup.profileName, host.name);
  if (pending) {
    const ports = [...new Set([host.ssh.port, host.ssh.targetPort])];
    await pinHostKey(profilePaths(dir, ctx.setup.profileName).knownHosts, address, ports, pending.publicKey, `${host.name}@homelab-wizard`);
    await dropPendingHostKey(dir, ctx.setup.profileName, host.name);
    say(`~ ${host.name}: host key pinned in profiles/${ctx.setup.profileName}.known_hosts (no trust on first use)`);
  }
  say(`  ${host.name}: waiting for SSH at ${address}:${host.ssh.port} (up to ${SSH_WAIT_MS / 60_000} min)…`);
  if (!(await waitForSsh(address, host.ssh.port, SSH_WAIT_MS))) {
    throw new WizardError('ssh-connect', `${host.name} (${address}) was created, but SSH did not answer on port ${host.ssh.port} within ${SSH_WAIT_MS / 60_000} minutes`, 'look at the server console in the Hetzner Console; running apply again continues from here');
  }
}

interface PhaseOutcome {
  readonly steps: readonly CloudStep[];
  /** Hosts whose address changed in the profile. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly ipv6: ReadonlyMap<string, string>;
}

async function applyProvision(ctx: CloudContext, client: HcloudClient, creds: Credentials, allowDestroy: boolean, say: (line: string) => void): Promise<PhaseOutcome> {
  const { profileName } = ctx.setup;
  const plan = await planProvision(ctx, client);
  const steps = provisionSteps(plan);
  const deletes = plan.changes.filter((c) => c.action === 'delete');
  if (deletes.length > 0 && !allowDestroy) await confirmDestroy(ctx, deletes.map((c) => `server of host ${c.host}: ${c.reason}`));
  for (const c of plan.changes) if (c.action === 'drift') say(`! ${c.host}: ${c.reason}`);

  let keyIds: number[] | undefined;
  const addresses = new Map<string, string>();
  const ipv6 = new Map<string, string>();
  for (const want of plan.desired) {
    const host = ctx.setup.work.find((w) => w.host.name === want.host)?.host;
    if (!host) continue;
    const fwChange = plan.changes.find((c) => c.host === want.host && c.what === 'firewall');
    const serverChange = plan.changes.find((c) => c.host === want.host && c.what === 'server');
    const firewallId = await ensureFirewall(client, want, fwChange, say);
    let server: HcloudServer;
    if (serverChange?.action === 'create') {
      keyIds ??= await ensureSshKeys(client, plan.snapshot, say);
      // On disk before the create call: a rerun after a kill installs and pins this same key.
      const hostKey = await ensureHostKey(ctx.global.dir, profileName, host.name);
      server = await createServer(client, want, keyIds, firewallId, hostKey, say);
    } else {
      server = plan.snapshot.servers.find((s) => serverChange && 'id' in serverChange && s.id === serverChange.id) as HcloudServer;
      await ensureFirewallApplied(client, server, firewallId, say);
    }
    const address = serverAddress(server);
    if (!address) throw new WizardError('provider-error', `Hetzner server ${server.name} has no public address`, 'enable a public IPv4 or IPv6 for it in the Hetzner Console');
    const v6 = serverIpv6(server);
    if (v6) ipv6.set(host.name, v6);
    if (serverChange?.action === 'create' || plan.unfinished.has(host.name)) await finishServer(ctx, host, address, say);
    if (address !== host.address) addresses.set(host.name, address);
  }
  for (const c of deletes) {
    const server = plan.snapshot.servers.find((s) => 'id' in c && s.id === c.id) as HcloudServer;
    await deleteServer(client, server, plan.snapshot.firewalls, say);
  }
  if (addresses.size > 0) await writeBackAddresses(ctx.global, ctx.io, creds.identity, addresses);
  return { steps, addresses, ipv6 };
}

// ---- dns -------------------------------------------------------------------------------------------

function recordStep(profile: Profile, change: DnsChange, hostOf: (target: string) => string): CloudStep {
  const r = change.record;
  const name = r.subDomain === '' ? profile.domain.name : `${r.subDomain}.${profile.domain.name}`;
  const action: Action = change.action === 'create' ? '+' : change.action === 'update' ? '~' : change.action === 'delete' ? '-' : '=';
  const reasons = change.action === 'update' ? [`points at ${change.from}`] : change.action === 'delete' ? ['no longer in the profile'] : [];
  return { phase: 'dns', host: hostOf(r.target), id: `dns.${r.fieldType}.${r.subDomain === '' ? '@' : r.subDomain}`, describe: `${name} ${r.fieldType} ${r.target}`, action, risk: 'safe', reasons };
}

interface DnsPlan {
  readonly zone: string;
  readonly owned: readonly ExistingRecord[];
  readonly changes: readonly DnsChange[];
  readonly steps: readonly CloudStep[];
}

async function planDnsPhase(ctx: CloudContext, ovh: OvhClient, addresses: ReadonlyMap<string, string>, ipv6: ReadonlyMap<string, string>): Promise<DnsPlan> {
  const { profile, profileName } = ctx.setup;
  const zone = profile.domain.name;
  const hosts = profile.hosts.map((h) => (addresses.has(h.name) ? { ...h, address: addresses.get(h.name) as string } : h));
  const desired = desiredRecords({ ...profile, hosts }, ipv6);
  const state = await readDnsState(ctx.global.dir, profileName);
  const owned = state && state.zone === zone ? await readOwned(ovh, zone, state.records) : [];
  const changes = planDns(desired, owned);
  const hostOf = (target: string): string =>
    hosts.find((h) => h.address === target || h.tailscaleIp === target || ipv6.get(h.name) === target)?.name ?? ctx.setup.work[0]?.host.name ?? 'dns';
  return { zone, owned, changes, steps: changes.map((c) => recordStep(profile, c, hostOf)) };
}

async function applyDnsPhase(ctx: CloudContext, ovh: OvhClient, addresses: ReadonlyMap<string, string>, ipv6: ReadonlyMap<string, string>, say: (line: string) => void): Promise<CloudStep[]> {
  const plan = await planDnsPhase(ctx, ovh, addresses, ipv6);
  const { dir } = ctx.global;
  await applyDns(ovh, plan.zone, plan.changes, plan.owned, {
    onChange: (line) => say(`${line.slice(0, 2)}DNS ${line.slice(2)}`),
    save: (records) => writeDnsState(dir, ctx.setup.profileName, { zone: plan.zone, records }),
  });
  if (plan.changes.some((c) => c.action !== 'noop')) say(`  DNS zone ${plan.zone} refreshed (published)`);
  return [...plan.steps];
}

/** IPv6 networks of the profile's Hetzner servers (for AAAA records), read from the API. */
async function hetznerIpv6(client: HcloudClient, profile: Profile): Promise<Map<string, string>> {
  const snapshot = await readCloud(client, profile);
  const out = new Map<string, string>();
  for (const s of snapshot.servers) {
    const v6 = serverIpv6(s);
    const host = s.labels['homelab-wizard/host'];
    if (v6 && host) out.set(host, v6);
  }
  return out;
}

// ---- entry points ------------------------------------------------------------------------------

export interface CloudApplyResult {
  readonly steps: readonly CloudStep[];
  /** The profile file was rewritten (addresses): reload it before connecting. */
  readonly profileChanged: boolean;
}

/**
 * `apply`: the provision phase (Hetzner), then the dns phase (OVH), before any SSH work. Each
 * re-plans from the live API state, so a rerun after a kill continues where it stopped.
 */
export async function applyCloudPhases(ctx: CloudContext, options: { readonly allowDestroy: boolean }): Promise<CloudApplyResult> {
  const provision = wantsProvision(ctx.setup);
  const dns = wantsDns(ctx.setup);
  if (!provision && !dns) return { steps: [], profileChanged: false };
  const say = (line: string): void => ctx.io.stderr(`${line}\n`);
  const creds = new Credentials(ctx);
  const hasHetzner = ctx.setup.profile.hosts.some((h) => h.provider.kind === 'hetzner');
  const client = provision || hasHetzner ? hetznerClient(ctx, await creds.get('hetzner.token', TOKEN_WHY)) : undefined;
  const steps: CloudStep[] = [];
  let addresses: ReadonlyMap<string, string> = new Map();
  let ipv6: ReadonlyMap<string, string> = new Map();
  if (provision && client) {
    const outcome = await applyProvision(ctx, client, creds, options.allowDestroy, say);
    steps.push(...outcome.steps);
    addresses = outcome.addresses;
    ipv6 = outcome.ipv6;
  }
  if (dns) {
    if (!provision && client) ipv6 = await hetznerIpv6(client, ctx.setup.profile);
    steps.push(...(await applyDnsPhase(ctx, await ovhClient(ctx, creds), addresses, ipv6, say)));
  }
  return { steps, profileChanged: addresses.size > 0 };
}

/** `plan`: what the provision and dns phases would do, read-only. Hosts to be created get `?` records. */
export interface CloudPlan {
  readonly steps: CloudStep[];
  /** Hosts provision is about to create: their SSH steps are `?` until then. */
  readonly toCreate: Set<string>;
  /** Hetzner hosts that could not be planned because the API did not answer, with why. */
  readonly unknown: Map<string, string>;
}

export async function planCloudPhases(ctx: CloudContext): Promise<CloudPlan> {
  const provision = wantsProvision(ctx.setup);
  const dns = wantsDns(ctx.setup);
  const toCreate = new Set<string>();
  const unknown = new Map<string, string>();
  if (!provision && !dns) return { steps: [], toCreate, unknown };
  const creds = new Credentials(ctx);
  const hasHetzner = ctx.setup.profile.hosts.some((h) => h.provider.kind === 'hetzner');
  const client = provision || hasHetzner ? hetznerClient(ctx, await creds.get('hetzner.token', TOKEN_WHY), true) : undefined;
  const steps: CloudStep[] = [];
  const addresses = new Map<string, string>();
  const ipv6 = new Map<string, string>();
  if (client) {
    try {
      const plan = await planProvision(ctx, client);
      if (provision) steps.push(...provisionSteps(plan));
      for (const c of plan.changes) if (c.what === 'server' && c.action === 'create') toCreate.add(c.host);
      for (const s of plan.snapshot.servers) {
        const host = s.labels['homelab-wizard/host'];
        const address = serverAddress(s);
        if (host && address) addresses.set(host, address);
        const v6 = serverIpv6(s);
        if (host && v6) ipv6.set(host, v6);
      }
    } catch (error) {
      // Unreachable is not refused: a bad token or a quota still stops the plan with its own error.
      if (!(error instanceof HcloudError) || error.apiCode !== 'network') throw error;
      const why = `unknown: ${error.message.replace(/^Hetzner API: /, 'the Hetzner API did not answer: ').replace(/ \(network, HTTP 0\)$/, '')}`;
      ctx.io.stderr(`provision: ${why}; its lines are ? and the other hosts are planned\n`);
      for (const w of ctx.setup.work.filter((w) => w.host.provider.kind === 'hetzner')) {
        unknown.set(w.host.name, why);
        if (provision) steps.push({ phase: 'provision', host: w.host.name, id: 'provision.server', describe: `server ${w.host.name} and its firewall`, action: '?', risk: 'safe', reasons: [why] });
      }
    }
  }
  if (dns) {
    const plan = await planDnsPhase(ctx, await ovhClient(ctx, creds), addresses, ipv6);
    // Without the servers' addresses a record that looks unwanted may be one of theirs: not a `-`.
    const unsure = (step: CloudStep): CloudStep => (unknown.size > 0 && step.action === '-' ? { ...step, action: '?', reasons: [`${[...unknown.values()][0]} (the record may point at one of its servers)`] } : step);
    steps.push(...plan.steps.map(unsure));
    for (const host of toCreate) steps.push({ phase: 'dns', host, id: 'dns.records', describe: `records of ${host}`, action: '?', risk: 'safe', reasons: ['known after provision creates the server'] });
    for (const [host, why] of unknown) if (!ctx.setup.work.find((w) => w.host.name === host)?.host.address) steps.push({ phase: 'dns', host, id: 'dns.records', describe: `records of ${host}`, action: '?', risk: 'safe', reasons: [why] });
  }
  return { steps, toCreate, unknown };
}
