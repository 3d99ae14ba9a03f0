import os from 'node:os';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import { LockHeldError } from '../engine/errors.js';
import type { ExecResult, Runner } from '../engine/runner.js';
import { redact as redactSecrets, type Secret } from '../lib/secret.js';
import { createHash } from 'node:crypto';
import type { AuditEntry, GuardResolution, LockInfo } from '../plan/host-state.js';
import type { GuardFacts } from '../plan/guard-facts.js';
import type { ProveLogin, ProveResult } from '../engine/access.js';
import { resolveGuards } from '../engine/resolve-guards.js';
import { guardEventLine } from '../run/apply-report.js';
import { hostServices } from '../profile/effective.js';
import type { Host, Profile } from '../profile/schema.js';
import type { MaybeSecret } from '../render/service-env.js';
import { parseSnapshot, SNAPSHOT_SCRIPT, type HostSnapshot } from '../steps/day2/host-snapshot.js';
import { hostLayout, type HostLayout } from '../steps/host-layout.js';
import { openPool } from '../session/engine-setup.js';
import { loadProfile } from '../session/load-profile.js';
import { vaultOwnerOf } from '../session/vault-owner.js';
import { newRunId } from '../run/run-files.js';
import { pidAlive } from '../lib/pid-alive.js';
import { progressMessage } from '../shell/progress.js';

const sh = (script: string, ...args: string[]): string[] => ['sh', '-c', script, 'homelab-wizard', ...args];

/** One host, locked, with what runs there read in one round trip: what redeploy and rollback work on. */
export interface Day2Session {
  readonly profileName: string;
  readonly profile: Profile;
  readonly host: Host;
  readonly layout: HostLayout;
  readonly runner: Runner;
  readonly secret: MaybeSecret;
  readonly snapshot: HostSnapshot;
  readonly composeProjects: { readonly infra: string; readonly apps: string };
  /** Aborted by Ctrl+C / SIGTERM: check before each change. */
  readonly stopped: AbortSignal;
  readonly redact: (text: string) => string;
  /** Runs a script on the host (args positional, never spliced). */
  run(script: string, ...args: string[]): Promise<ExecResult>;
  /** Reads the host again (after a change). */
  refresh(): Promise<HostSnapshot>;
  /** Audit line and lock release, then the connection closed. */
  finish(result: AuditEntry['result'], changed: number, failedStep?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a day-2 script waits for (a health gate) is shown on stderr while it waits, like the
 * other progress of redeploy and rollback; its other output is the flow's to read.
 */
export function progressPrinter(host: string, redact: (text: string) => string, write: (text: string) => void): (line: string) => void {
  return (line) => {
    const message = progressMessage(line);
    if (message !== undefined) write(`${host}: ${redact(message)}\n`);
  };
}

/** The host a day-2 command works on: `--host`, else the one host that runs the service (or any container). */
export function chooseHost(profile: Profile, option: string | undefined, service: string | undefined): Host {
  const withContainers = profile.hosts.filter((h) => hostServices(profile, h).some((s) => s.entry.placement.kind === 'compose'));
  if (option !== undefined) {
    const host = profile.hosts.find((h) => h.name === option);
    if (!host) throw new WizardError('usage', `--host: no host '${option}' in the profile`, `hosts of this profile: ${profile.hosts.map((h) => h.name).join(', ')}`);
    return host;
  }
  const candidates = service === undefined ? withContainers : withContainers.filter((h) => hostServices(profile, h).some((s) => s.id === service));
  if (candidates.length === 1) return candidates[0] as Host;
  if (candidates.length === 0) {
    throw service === undefined
      ? new WizardError('service-unknown', 'no host of this profile runs containers', 'add services to a host in the profile, then `homelab-wizard apply`')
      : new WizardError('service-unknown', `no host of this profile runs ${service}`, `services per host: \`homelab-wizard profile show\``);
  }
  throw new WizardError('usage', `${candidates.map((h) => h.name).join(', ')} ${service ? `all run ${service}` : 'all run containers'}: which one?`, `add --host ${candidates[0]?.name}`);
}

export async function openDay2(global: GlobalOptions, io: Io, options: { readonly host?: string; readonly service?: string; readonly command: string; readonly acceptNewHostKeys: boolean }): Promise<Day2Session> {
  const { loaded, profile } = await loadProfile(global, { io });
  const host = chooseHost(profile, options.host, options.service);
  if (host.address === undefined) throw new WizardError('ssh-connect', `${host.name} has no address yet`, 'create it first: `homelab-wizard apply`');
  const [{ openVault }, { identityFor }] = await Promise.all([import('../vault/vault.js'), import('../session/vault-access.js')]);
  const vaultOwner = vaultOwnerOf(loaded);
  const vault = await openVault(global.dir, vaultOwner.vaultName, { identity: identityFor(global, io) });
  const layout = hostLayout(profile);
  const setup = { profileName: loaded.name, vault: vaultOwner, profileFile: loaded.file, profile, layout, phases: ['deploy' as const], work: [{ host, steps: [] }] };
  const opened = await openPool(setup, global, { acceptNewHostKeys: options.acceptNewHostKeys, io });
  const secrets: Secret[] = [...vault.entries().values(), ...opened.sudoSecrets];
  const redact = (text: string): string => redactSecrets(text, secrets);
  const close = async (): Promise<void> => opened.pool.closeAll();

  let runner: Runner;
  try {
    runner = await opened.pool.runner(host.name);
  } catch (error) {
    await close();
    throw error;
  }
  const started = new Date();
  const runId = newRunId(started);
  const owner = os.userInfo().username;
  const operatorHost = os.hostname();
  const info: LockInfo = { runId, owner, operatorHost, pid: process.pid, startedAt: started.toISOString(), command: options.command };
  const locked = await runner.lockAndProbe({ steps: [], project: layout.project }, { info }).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  let found = locked.report?.guards ?? [];
  if (!locked.lock.acquired) {
    const holder = locked.lock.holder;
    // A lock left by a killed command of this same machine is taken over, like apply does.
    const mine = 'unreadable' in holder ? undefined : holder;
    const dead = mine !== undefined && mine.operatorHost === operatorHost && mine.pid !== process.pid && !pidAlive(mine.pid);
    const again = dead && mine ? await runner.lockAndProbe({ steps: [], project: layout.project }, { info, takeOver: mine.runId }).catch(() => undefined) : undefined;
    if (!again?.lock.acquired || !mine) {
      await close();
      const running = mine !== undefined && mine.operatorHost === operatorHost && mine.pid !== process.pid && !dead;
      throw new LockHeldError(host.name, holder, dead && mine ? `its process (pid ${mine.pid}) no longer runs on this machine` : undefined, running);
    }
    io.stderr(`Taking over the lock of run ${mine.runId} (${mine.command}): its process (pid ${mine.pid}) on this machine is gone.\n`);
    found = again.report?.guards ?? [];
  }
  // Ctrl+C (or SIGTERM): no new change starts; a running remote command finishes, so the host is
  // never left between two releases. A second Ctrl+C drops the connection at once.
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) {
      void opened.pool.destroy();
      return;
    }
    stop.abort();
    io.stderr('\nStopping before the next change (press Ctrl+C again to drop the connection now).\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const release = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const project = profile.project.name;
  const composeProjects = { infra: `${project}-infra`, apps: project };
  const progress = progressPrinter(host.name, redact, io.stderr);
  const run = (script: string, ...args: string[]): Promise<ExecResult> => runner.exec({ argv: sh(script, ...args) }, { onStdout: progress });
  const refresh = async (): Promise<HostSnapshot> => {
    const r = await run(SNAPSHOT_SCRIPT, layout.project, composeProjects.infra, composeProjects.apps);
    if (r.code !== 0) throw new WizardError('remote-protocol', `${host.name}: reading the releases failed (exit ${r.code})`, redact(r.stderr.trim().split('\n').at(-1) ?? 'run again with --verbose'));
    return parseSnapshot(r.stdout);
  };
  let finished = false;
  let guards: readonly GuardResolution[] = [];
  const finish = async (result: AuditEntry['result'], changed: number, failedStep?: string): Promise<void> => {
    if (finished) return;
    finished = true;
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      runId,
      who: `${owner}@${operatorHost}`,
      command: options.command,
      profile: loaded.name,
      planDigest: createHash('sha256').update(options.command).digest('hex').slice(0, 16),
      result,
      changed,
      ...(failedStep ? { failedStep } : {}),
      ...(guards.length > 0 ? { guards } : {}),
    };
    try {
      await runner.finish(layout.project, entry, runId);
    } catch (error) {
      io.stderr(redact(`warning: could not write the audit line or release the lock on ${host.name}: ${error instanceof Error ? error.message : String(error)}\n`));
    }
  };
  let snapshot: HostSnapshot;
  let stage = 'guards';
  try {
    // Guards an earlier apply left armed on this host: resolved first, as every run does.
    if (found.length > 0) guards = await resolveDay2Guards(runner, found, { io, redact, prove: (login) => opened.pool.prove(host.name, login) });
    stage = 'read';
    snapshot = await refresh();
  } catch (error) {
    await finish('failed', 0, stage);
    release();
    await close();
    throw error;
  }
  return {
    profileName: loaded.name,
    profile,
    host,
    layout,
    runner,
    secret: (key) => vault.get(key),
    snapshot,
    composeProjects,
    stopped: stop.signal,
    redact,
    run,
    refresh,
    finish,
    close: async () => {
      await finish('aborted', 0);
      release();
      await close();
    },
  };
}

/** resolveGuards for a day-2 command: its lines on stderr, a proof through the command's pool. */
async function resolveDay2Guards(runner: Runner, found: readonly GuardFacts[], deps: { io: Io; redact: (text: string) => string; prove: (login: ProveLogin) => Promise<ProveResult> }): Promise<readonly GuardResolution[]> {
  const outcome = await resolveGuards(runner, found, {
    redact: deps.redact,
    emit: (event) => {
      if (event.type === 'guard' && event.reason !== undefined) deps.io.stderr(`${guardEventLine(event)}\n`);
    },
    proveAccess: (_host, login) => deps.prove(login),
  });
  return outcome.resolved;
}
