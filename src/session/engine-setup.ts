import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import type { SecretSource } from '../engine/secret-source.js';
import { isSecret, type Secret } from '../lib/secret.js';
import type { Step } from '../plan/step.js';
import { profilePaths } from '../profile/paths.js';
import type { Host, Profile } from '../profile/schema.js';
import { SshError } from '../ssh/errors.js';
import type { HostKeyPolicy, UnknownKeyMode } from '../ssh/host-key-policy.js';
import { loadIdentity } from '../ssh/identity.js';
import { KnownHostsFile } from '../ssh/known-hosts.js';
import { loginCandidates } from '../ssh/logins.js';
import { SshPool, type ConnectTuning, type HostAccess } from '../ssh/pool.js';
import type { SudoMode, Trace } from '../ssh/ssh-runner.js';
import { hostLayout, type HostLayout } from '../steps/host-layout.js';
import { parsePhases, type Phase } from '../steps/phases.js';
import { hostSteps, NO_SECRETS, type StepContext } from '../steps/registry.js';
import { hostServices } from '../profile/effective.js';
import { askHostKey } from './host-key-prompt.js';
import { loadProfile } from './load-profile.js';
import { loadTemplates, recordingUse, type TemplateOverride } from './load-templates.js';
import { BUILTIN_TEMPLATES } from '../render/templates.js';
import { vaultSecretSource } from './vault-secret-source.js';
import { vaultOwnerOf, type VaultOwner } from './vault-owner.js';
import type { Vault } from '../vault/vault.js';

export interface HostWork {
  readonly host: Host;
  readonly steps: readonly Step[];
}

/** Everything plan, apply and status share: the profile, the chosen hosts and phases, their steps. */
export interface EngineSetup {
  readonly profileName: string;
  /** Whose vault the profile uses: its own, or a sandbox replica's source (vault-owner.ts). */
  readonly vault: VaultOwner;
  readonly profileFile: string;
  readonly profile: Profile;
  readonly layout: HostLayout;
  readonly phases: readonly Phase[];
  readonly work: readonly HostWork[];
  /** The vault entries the deploy steps were built from (when they needed the vault). */
  readonly deployedVault?: ReadonlyMap<string, Secret>;
  /** The user's templates (`<dir>/templates/`) that replaced a built-in one in these steps. */
  readonly templateOverrides?: readonly TemplateOverride[];
}

/** `--host a,b`: those hosts of the profile, in profile order; an unknown name is a usage error. */
export function selectHosts(profile: Profile, option: string | undefined): Host[] {
  if (option === undefined) return [...profile.hosts];
  const names = option.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = profile.hosts.map((h) => h.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new WizardError('usage', names.length === 0 ? '--host needs at least one host name' : `--host: no host ${unknown.map((n) => `'${n}'`).join(', ')} in the profile`, `hosts of this profile: ${known.join(', ')}`);
  }
  return profile.hosts.filter((h) => names.includes(h.name));
}

/**
 * Deploy steps carry the services' env files, so they need the vault; it is opened only when a
 * chosen host runs containers and the deploy phase is chosen.
 */
async function stepContext(global: GlobalOptions, io: Io, vaultName: string, profile: Profile, hosts: readonly Host[], phases: readonly Phase[]): Promise<{ context: StepContext; vault?: Vault }> {
  const containers = phases.includes('deploy') && hosts.some((h) => hostServices(profile, h).some((s) => s.entry.placement.kind === 'compose'));
  if (!containers) return { context: NO_SECRETS };
  const [{ openVault }, { identityFor }] = await Promise.all([import('../vault/vault.js'), import('./vault-access.js')]);
  const vault = await openVault(global.dir, vaultName, { identity: identityFor(global, io) });
  return { context: { secret: (key) => vault.get(key) }, vault };
}

export async function prepareEngine(global: GlobalOptions, options: { readonly host?: string; readonly only?: string; readonly io: Io }): Promise<EngineSetup> {
  const phases = parsePhases(options.only);
  const { loaded, profile } = await loadProfile(global, { io: options.io });
  const hosts = selectHosts(profile, options.host);
  const owner = vaultOwnerOf(loaded);
  // Before the vault: a broken override stops the command before anything asks for a passphrase.
  // Only the harden and deploy phases write text configuration files.
  const templates = phases.some((p) => p === 'harden' || p === 'deploy') ? await loadTemplates(global.dir) : { templates: BUILTIN_TEMPLATES, overrides: [] };
  const { context, vault } = await stepContext(global, options.io, owner.vaultName, profile, hosts, phases);
  const recording = recordingUse(templates.templates);
  const work = hosts.map((host) => ({ host, steps: hostSteps(profile, host, phases, { ...context, templates: recording.templates }) }));
  return {
    ...(vault ? { deployedVault: vault.entries() } : {}),
    profileName: loaded.name,
    vault: owner,
    profileFile: loaded.file,
    profile,
    layout: hostLayout(profile),
    phases,
    work,
    templateOverrides: templates.overrides.filter((o) => recording.used.has(o.template)),
  };
}

/** Every secret a run may handle, so logs and output can be scrubbed of them. */
export function secretsOf(work: readonly HostWork[], extra: readonly Secret[] = []): Secret[] {
  const found: Secret[] = [...extra];
  for (const { steps } of work) {
    for (const step of steps) {
      for (const file of step.files ?? []) if (isSecret(file.content)) found.push(file.content);
      for (const command of [step.check, ...step.apply, step.verify]) if (command && isSecret(command.stdin)) found.push(command.stdin);
    }
  }
  return found;
}

export interface PoolOptions {
  readonly acceptNewHostKeys: boolean;
  readonly secrets?: SecretSource;
  readonly tuning?: ConnectTuning;
  readonly trace?: Trace;
  readonly io: Io;
}

/**
 * SSH access for the selected hosts, plus the jump hosts they need. The sudo password of a
 * `ssh.sudo: password` host comes from the SecretSource (`hosts.<name>.sudoPassword`).
 */
export async function openPool(setup: EngineSetup, global: GlobalOptions, options: PoolOptions): Promise<{ pool: SshPool; sudoSecrets: Secret[] }> {
  const secrets = options.secrets ?? vaultSecretSource(global, options.io, setup.vault.vaultName);
  const byName = new Map(setup.profile.hosts.map((h) => [h.name, h]));
  const needed = new Set<string>();
  const addWithJumps = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    const jump = byName.get(name)?.ssh.jumpHost;
    if (jump) addWithJumps(jump);
  };
  for (const { host } of setup.work) if (host.address !== undefined) addWithJumps(host.name);
  // The vpn phase makes pre-auth keys on the hub over SSH, even when only a node is selected.
  const hub = setup.profile.vpn.hub;
  if (hub !== undefined && byName.get(hub)?.address !== undefined && setup.work.some((w) => w.steps.some((s) => s.id === 'vpn.tailscale.join'))) addWithJumps(hub);

  const sudoSecrets: Secret[] = [];
  const access = new Map<string, HostAccess>();
  for (const name of needed) {
    const host = byName.get(name) as Host;
    let password: Secret | undefined;
    if (host.ssh.sudo === 'password' && (host.ssh.user !== 'root' || host.ssh.adminUser !== 'root')) {
      password = await secrets.get(`hosts.${name}.sudoPassword`);
      if (password) sudoSecrets.push(password);
    }
    const sudo = (user: string): SudoMode => {
      if (user === 'root') return { kind: 'root' };
      if (host.ssh.sudo === 'nopasswd') return { kind: 'nopasswd' };
      if (!password) {
        throw new SshError('secret-missing', name, `ssh.sudo is password, but the vault has no hosts.${name}.sudoPassword`, `store it in the vault under hosts.${name}.sudoPassword, or allow passwordless sudo for ${user} and set ssh.sudo: nopasswd`);
      }
      return { kind: 'password', password };
    };
    access.set(name, { host: name, candidates: loginCandidates(host, setup.profile.access.mode === 'vpn-only'), sudo, ...(host.ssh.jumpHost ? { jumpHost: host.ssh.jumpHost } : {}) });
  }

  const unknown: UnknownKeyMode = options.acceptNewHostKeys ? { kind: 'accept' } : global.nonInteractive ? { kind: 'refuse' } : { kind: 'ask', confirm: askHostKey(options.io) };
  const policy: HostKeyPolicy = { knownHosts: new KnownHostsFile(profilePaths(global.dir, setup.profileName).knownHosts), unknown };
  const identity = await loadIdentity(setup.work[0]?.host.name ?? 'ssh', setup.profile.operator.identityFile, options.io.env);
  const onRetry: NonNullable<ConnectTuning['onRetry']> = (n) => options.io.stderr(`${n.host}: ${n.reason}; retrying in ${Math.round(n.delayMs / 100) / 10} s (${n.attempt} of ${n.of})\n`);
  return { pool: new SshPool(access, identity, policy, { onRetry, ...options.tuning }, options.trace), sudoSecrets };
}

/** The reason a host has no runner: not provisioned yet, or its connection failed. */
export function notProvisioned(host: Host): WizardError {
  return new WizardError('ssh-connect', `${host.name} has no address yet`, 'a Hetzner host gets it from `homelab-wizard apply --only provision`; for an existing server, set hosts[].address');
}
