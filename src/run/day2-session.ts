import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import type { RunEvent } from '../engine/events.js';
import type { HostOutcome, HostSession } from '../engine/host-session.js';
import { planHost } from '../engine/planner.js';
import type { HostPlan } from '../plan/plan.js';
import { runApply } from '../engine/run-apply.js';
import type { Runner } from '../engine/runner.js';
import { redact as redactSecrets, type Secret } from '../lib/secret.js';
import type { InventoryFacts } from '../plan/inventory.js';
import type { Step } from '../plan/step.js';
import { hostServices } from '../profile/effective.js';
import type { Host, Profile } from '../profile/schema.js';
import type { MaybeSecret } from '../render/service-env.js';
import type { Day2Target } from '../steps/day2/day2-steps.js';
import { snapshotOf, type HostSnapshot } from '../steps/day2/host-snapshot.js';
import { hostLayout } from '../steps/host-layout.js';
import type { SshPool } from '../ssh/pool.js';
import { EngineRun } from './engine-run.js';
import { openPool } from '../session/engine-setup.js';
import { loadProfile } from '../session/load-profile.js';
import { loadTemplates } from '../session/load-templates.js';
import type { Templates } from '../render/templates.js';
import { vaultOwnerOf } from '../session/vault-owner.js';

/** One host of the profile, connected (not locked): what redeploy, rollback, restart, logs and exec work on. */
export interface Day2Host {
  readonly profileName: string;
  readonly profile: Profile;
  readonly host: Host;
  readonly target: Day2Target;
  readonly secret: MaybeSecret;
  /** The built-in templates with the user's overrides (`<dir>/templates/`), as apply renders with. */
  readonly templates: Templates;
  readonly redact: (text: string) => string;
  readonly pool: SshPool;
  runner(): Promise<Runner>;
  close(): Promise<void>;
}

/**
 * The line a day-2 command prints on stderr for an event of its run, if any: what a step waits
 * for (a health gate), already redacted by the executor. The rest goes to the run log (and to
 * stdout with --json).
 */
export function day2ProgressLine(event: RunEvent): string | undefined {
  return event.type === 'step-progress' ? `${event.host}: ${event.message}\n` : undefined;
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

export interface Day2Options {
  readonly host?: string;
  readonly service?: string;
  readonly acceptNewHostKeys: boolean;
}

/** The profile read, the host chosen, the vault opened and the connection ready; no lock yet. */
export async function openDay2(global: GlobalOptions, io: Io, options: Day2Options): Promise<Day2Host> {
  const { loaded, profile } = await loadProfile(global, { io });
  const host = chooseHost(profile, options.host, options.service);
  // Before the vault opens: a broken override stops the command with nothing touched.
  const { templates } = await loadTemplates(global.dir);
  if (host.address === undefined) throw new WizardError('ssh-connect', `${host.name} has no address yet`, 'create it first: `homelab-wizard apply`');
  const [{ openVault }, { identityFor }] = await Promise.all([import('../vault/vault.js'), import('../session/vault-access.js')]);
  const vaultOwner = vaultOwnerOf(loaded);
  const vault = await openVault(global.dir, vaultOwner.vaultName, { identity: identityFor(global, io) });
  const layout = hostLayout(profile);
  const setup = { profileName: loaded.name, vault: vaultOwner, profileFile: loaded.file, profile, layout, phases: ['deploy' as const], work: [{ host, steps: [] }] };
  const opened = await openPool(setup, global, { acceptNewHostKeys: options.acceptNewHostKeys, io });
  const secrets: Secret[] = [...vault.entries().values(), ...opened.sudoSecrets];
  const project = profile.project.name;
  return {
    profileName: loaded.name,
    profile,
    host,
    target: { host: host.name, layout, composeProjects: { infra: `${project}-infra`, apps: project }, keepReleases: profile.deploy.keepReleases },
    secret: (key) => vault.get(key),
    templates,
    redact: (text) => redactSecrets(text, secrets),
    pool: opened.pool,
    runner: () => opened.pool.runner(host.name),
    close: () => opened.pool.closeAll(),
  };
}

/** The probe request of day-2 commands: the inventory with the release folders. */
export function day2Inventory(d: Day2Host): { readonly composeProjects: readonly string[]; readonly releases: true } {
  return { composeProjects: [d.target.composeProjects.infra, d.target.composeProjects.apps], releases: true };
}

/** Reads what a day-2 command builds on, without a lock (listings, dry runs). */
export async function readDay2(d: Day2Host): Promise<{ snapshot: HostSnapshot; facts: InventoryFacts; runner: Runner }> {
  const runner = await d.runner();
  const report = await runner.probe({ steps: [], project: d.target.layout.project, inventory: day2Inventory(d) });
  if (!report.inventory) throw new WizardError('remote-protocol', `${d.host.name}: the probe answered without the releases`, 'run again with --verbose and report the output');
  return { snapshot: snapshotOf(report.inventory), facts: report.inventory, runner };
}

export interface Day2Run {
  /** The command line for the lock, the audit line and the journal (`redeploy n8n`). */
  readonly command: string;
  /** Under the lock, from what the probe read: the steps (may ask the operator to pick). */
  readonly steps: (snapshot: HostSnapshot, facts: InventoryFacts, runner: Runner) => Promise<readonly Step[]>;
  /** Planned (under the lock, or read-only for a dry run), before anything changes: what the operator sees. */
  readonly show: (planned: { readonly runner: Runner; readonly plan: HostPlan }) => Promise<void>;
  /** After `show`, when something would change: --yes, --confirm or a question; throw to stop. */
  readonly confirm: () => Promise<void>;
  /** A line printed (on stderr with --json) just before the first change. */
  readonly starting?: string;
}

export interface Day2Result {
  readonly outcome?: HostOutcome;
  /** `--dry-run`: the plan, made from a read-only probe; nothing was locked or changed. */
  readonly dryRun?: HostPlan;
  readonly session?: HostSession;
  readonly interrupted: boolean;
  /** The run log, as the operator should type it. */
  readonly log: string;
}

/**
 * A day-2 command on the one engine, like `apply`: one run (id, run log, journal, `--json`
 * events, Ctrl+C), the host locked and probed with its releases in one round trip, earlier runs'
 * guards resolved, the steps made from what runs there and planned under the lock, the gate,
 * then the executor (apply, re-check, verify), one audit line and the lock released.
 */
export async function runDay2(d: Day2Host, global: GlobalOptions, io: Io, spec: Day2Run, options: { readonly dryRun?: boolean } = {}): Promise<Day2Result> {
  if (options.dryRun === true) return dryRunDay2(d, global, io, spec);
  const engine = new EngineRun(global, io, {
    profileName: d.profileName,
    project: d.target.layout.project,
    command: spec.command,
    hosts: [d.host.name],
    phases: ['deploy'],
    redact: d.redact,
    breakLock: false,
    dropConnections: () => void d.pool.destroy(),
    stopMessage: 'Stopping before the next change (press Ctrl+C again to drop the connection now; the lock is then taken over by your next command).',
  });
  engine.show((event) => {
    const line = global.json ? undefined : day2ProgressLine(event);
    if (line !== undefined) io.stderr(line);
  });
  let result: 'ok' | 'failed' | 'aborted' = 'failed';
  try {
    let session: HostSession | undefined;
    const run = await runApply(
      [
        {
          host: d.host.name,
          runner: () => d.runner(),
          steps: {
            inventory: day2Inventory(d),
            steps: async (report) => {
              if (!report.inventory) throw new WizardError('remote-protocol', `${d.host.name}: the probe answered without the releases`, 'run again with --verbose and report the output');
              return spec.steps(snapshotOf(report.inventory), report.inventory, await d.runner());
            },
          },
        },
      ],
      {
        ctx: engine.ctx,
        concurrency: 1,
        failFast: true,
        allowDestroy: false,
        signal: engine.signal,
        gate: async (sessions) => {
          session = sessions[0];
          if (!session) return false;
          await spec.show(session);
          if (session.plan.steps.every((s) => s.action === '=')) return false;
          await spec.confirm();
          if (spec.starting) (global.json ? io.stderr : io.stdout)(`${spec.starting}\n`);
          return false;
        },
        // One host: whatever stops it (a bad service name, no release, the operator said no) ends the command.
        isFatal: () => true,
      },
    );
    const outcome = run.outcomes[0];
    result = engine.interrupted ? 'aborted' : outcome?.result === 'failed' ? 'failed' : 'ok';
    return { ...(outcome ? { outcome } : {}), ...(session ? { session } : {}), interrupted: engine.interrupted, log: engine.logShown() };
  } catch (error) {
    result = engine.interrupted ? 'aborted' : 'failed';
    throw error;
  } finally {
    engine.finish(result);
    await d.close();
  }
}

/**
 * `--dry-run`: the same steps, made from a read-only probe (no lock, no journal, nothing written)
 * and planned; shown as the command would show them, then the plan line of each step.
 */
async function dryRunDay2(d: Day2Host, global: GlobalOptions, io: Io, spec: Day2Run): Promise<Day2Result> {
  try {
    const { snapshot, facts, runner } = await readDay2(d);
    const steps = await spec.steps(snapshot, facts, runner);
    const plan = await planHost(runner, steps, d.target.layout.project);
    await spec.show({ runner, plan });
    const out = global.json ? io.stderr : io.stdout;
    const changes = plan.steps.filter((s) => s.action !== '=');
    if (changes.length > 0) {
      out(changes.map((c) => `${c.action} ${c.id}  ${c.describe}\n${c.reasons.map((r) => `    ${r}\n`).join('')}`).join(''));
      out('Dry run: nothing was changed.\n');
    }
    return { dryRun: plan, interrupted: false, log: '' };
  } finally {
    await d.close();
  }
}
