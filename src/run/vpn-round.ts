import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import type { HostOutcome, SessionContext } from '../engine/host-session.js';
import { probeRequest } from '../engine/planner.js';
import { runApply, type ApplyTarget } from '../engine/run-apply.js';
import type { Runner } from '../engine/runner.js';
import { Secret } from '../lib/secret.js';
import { cidrContains } from '../profile/cidr.js';
import type { Profile } from '../profile/schema.js';
import type { SshPool } from '../ssh/pool.js';
import {
  hubHeadscaleArgv, isPreauthKey, OLDEST_SUPPORTED_MINOR, parseHeadscaleUsers, parseHeadscaleVersion, preauthKeyArgs, versionAtLeast, type HeadscaleUser,
} from '../steps/vpn/headscale-cli.js';
import { isLateVpnStep, vpnLateSteps } from '../steps/vpn/vpn-steps.js';
import type { IdentityProvider } from '../vault/identity.js';
import { writeBackHostField } from './address-writeback.js';
import type { EngineSetup } from '../session/engine-setup.js';

/** How long a pre-auth key lives: enough for this run's join, useless soon after. */
export const AUTH_KEY_EXPIRATION = '10m';

export interface VpnRoundInput {
  readonly global: GlobalOptions;
  readonly io: Io;
  readonly identity: () => IdentityProvider;
  readonly setup: EngineSetup;
  readonly pool: SshPool;
  readonly ctx: SessionContext;
  /** Keys made here are added, so every log and output line is scrubbed of them. */
  readonly secrets: Secret[];
  readonly concurrency: number;
  readonly failFast: boolean;
  readonly signal: AbortSignal;
  /** Hosts that failed in the first round: their VPN steps do not run. */
  readonly failed: ReadonlySet<string>;
}

async function hubExec(hub: Runner, project: string, args: readonly string[]): Promise<string> {
  const result = await hub.exec({ argv: hubHeadscaleArgv(project, args) });
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`;
    throw new WizardError(
      'vpn-hub',
      `the hub ${hub.host} could not run \`headscale ${args.slice(0, 2).join(' ')}\`: ${why}`,
      result.code === 3
        ? `Headscale is not running on ${hub.host}: run \`homelab-wizard apply --host ${hub.host}\` (its deploy phase starts it), then apply again`
        : `look at Headscale on ${hub.host} (docker logs of its headscale container), then run apply again`,
    );
  }
  return result.stdout;
}

/**
 * A single-use pre-auth key for one node, made on the hub with the CLI of the Headscale version
 * found there: the user is created when missing; `--user` takes the ID from 0.26, the name before.
 * The key is read from stdout straight into a Secret.
 */
export async function makeAuthKey(hub: Runner, project: string, userName: string): Promise<Secret> {
  const version = parseHeadscaleVersion(await hubExec(hub, project, ['version']));
  if (!version) throw new WizardError('vpn-hub', `the hub ${hub.host}: \`headscale version\` printed no version`, 'check the Headscale container on the hub, then run apply again');
  if (!versionAtLeast(version, OLDEST_SUPPORTED_MINOR)) {
    throw new WizardError('vpn-hub', `the hub ${hub.host} runs Headscale 0.${version.minor}, older than 0.${OLDEST_SUPPORTED_MINOR}`, 'upgrade Headscale on the hub (the catalogue pins a supported version), then run apply again');
  }
  const find = async (): Promise<HeadscaleUser | undefined> => {
    try {
      return parseHeadscaleUsers(await hubExec(hub, project, ['users', 'list', '-o', 'json'])).find((u) => u.name === userName);
    } catch (error) {
      if (error instanceof WizardError) throw error;
      throw new WizardError('vpn-hub', `the hub ${hub.host}: \`headscale users list -o json\` printed something that is not a list of users`, 'check the Headscale version on the hub, then run apply again');
    }
  };
  let user = await find();
  if (!user) {
    await hubExec(hub, project, ['users', 'create', userName]);
    user = await find();
    if (!user) throw new WizardError('vpn-hub', `the hub ${hub.host}: user ${userName} was created but is not listed`, 'check Headscale on the hub, then run apply again');
  }
  const out = await hubExec(hub, project, preauthKeyArgs(version, user, AUTH_KEY_EXPIRATION));
  const key = out.trim().split('\n').at(-1)?.trim() ?? '';
  if (!isPreauthKey(key)) throw new WizardError('vpn-hub', `the hub ${hub.host}: \`headscale preauthkeys create\` did not print a key`, 'check the Headscale version on the hub, then run apply again');
  return Secret.of(key);
}

/** The VPN address a host reports (`tailscale ip -4`), when it is inside the profile's VPN range. */
export async function readVpnAddress(runner: Runner, profile: Profile): Promise<string | undefined> {
  // As root: tailscaled's state is root's (the sandbox stand-in's file too).
  const result = await runner.exec({ argv: ['tailscale', 'ip', '-4'] });
  if (result.code !== 0) return undefined;
  return result.stdout.split('\n').map((l) => l.trim()).find((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && cidrContains(profile.vpn.cidr, ip));
}

/**
 * The second round of `apply`, after every host's other steps: for each VPN host whose join is
 * not converged, a key is made on the hub; then the join and (vpn-only) SSH restriction steps
 * run through the engine like any other (lock, plan, guard, proof, audit). Last, each host's
 * 100.x address is read and written into the profile where it changed.
 */
export async function runVpnRound(input: VpnRoundInput): Promise<HostOutcome[]> {
  const { setup, pool, ctx } = input;
  const profile = setup.profile;
  const hosts = setup.work.filter((w) => w.steps.some(isLateVpnStep) && w.host.address !== undefined && !input.failed.has(w.host.name)).map((w) => w.host);
  if (hosts.length === 0) return [];
  const say = (line: string): void => {
    if (!input.global.json) input.io.stderr(`${line}\n`);
  };

  // Which hosts need a key: their join check, read-only, before anything is made on the hub.
  const keys = new Map<string, Secret>();
  const problems = new Map<string, WizardError>();
  for (const host of hosts) {
    const join = vpnLateSteps(profile, host)[0];
    if (!join) continue;
    try {
      const report = await (await pool.runner(host.name)).probe(probeRequest([join], ctx.project));
      if (report.steps[0]?.checkExit === 0) continue;
      const hubName = profile.vpn.hub;
      if (hubName === undefined) throw new WizardError('vpn-hub', `${host.name} must join the VPN, but vpn.hub is not set`, 'set vpn.hub to the host of this profile that runs headscale, then run apply again');
      const key = await makeAuthKey(await pool.runner(hubName), setup.profile.project.name, profile.vpn.user);
      input.secrets.push(key);
      keys.set(host.name, key);
      say(`  ${host.name}: single-use pre-auth key made on ${hubName} (expires in ${AUTH_KEY_EXPIRATION})`);
    } catch (error) {
      problems.set(host.name, error instanceof WizardError ? error : new WizardError('vpn-hub', `${host.name}: ${error instanceof Error ? error.message : String(error)}`, 'run apply again with --verbose and report it'));
    }
  }
  for (const [host, problem] of problems) ctx.emit({ type: 'host-problem', host, code: problem.code, message: ctx.redact(problem.message), hint: problem.hint });

  const targets: ApplyTarget[] = hosts
    .filter((h) => !problems.has(h.name))
    .map((host) => ({ host: host.name, steps: vpnLateSteps(profile, host, keys.get(host.name)), runner: () => pool.runner(host.name) }));
  const result = await runApply(targets, { ctx, concurrency: input.concurrency, failFast: input.failFast, allowDestroy: false, signal: input.signal, gate: async () => false });

  // The 100.x addresses into the profile (only where they changed), whatever the round changed.
  const found = new Map<string, string>();
  for (const host of hosts.filter((h) => !problems.has(h.name))) {
    const address = await readVpnAddress(await pool.runner(host.name), profile);
    if (address !== undefined && address !== host.tailscaleIp) found.set(host.name, address);
  }
  if (found.size > 0) await writeBackHostField(input.global, input.io, input.identity(), 'tailscaleIp', found);
  return [...result.outcomes];
}

