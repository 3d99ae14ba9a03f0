import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CommandRunner } from '../contracts/command-runner.js';
import { UserAbortError, WizardError } from '../errors.js';
import { DestructiveRefusedError, PlanStaleError } from '../engine/errors.js';
import type { ProveLogin, ProveResult } from '../engine/access.js';
import type { HostOutcome, HostSession } from '../engine/host-session.js';
import { runApply, type ApplyTarget } from '../engine/run-apply.js';
import { EXIT_ABORTED, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { redact as redactSecrets } from '../lib/secret.js';
import { desiredDigest } from '../plan/digest.js';
import type { Plan } from '../plan/plan.js';
import { parseSavedPlan } from '../plan/saved-plan.js';
import { createApplyView, type ViewHost } from '../tasks/apply-view.js';
import { renderFailures, renderSummary } from '../run/apply-report.js';
import { notProvisioned, openPool, prepareEngine, secretsOf, type EngineSetup } from '../session/engine-setup.js';
import { engineOptions } from '../session/engine-options.js';
import { hasCloudWork } from '../run/cloud-work.js';
import { EngineRun } from '../run/engine-run.js';
import { clearRedeployed } from '../run/redeploy-done.js';
import { renderSmokeFailures, renderSmokeSummary, renderSmokeTable, smokeExitCode, smokeJson, type HostSmoke } from '../smoke/results.js';
import { runSmoke } from '../run/smoke-run.js';
import { vaultSecretSource } from '../session/vault-secret-source.js';
import type { Profile } from '../profile/schema.js';
import type { SshPool } from '../ssh/pool.js';
import { isLateVpnStep } from '../steps/vpn/vpn-steps.js';

/**
 * A proof through the host's VPN address reads that address from the host itself (`tailscale ip
 * -4` over the run's connection), so it works in the run that joined the host.
 */
async function proveThrough(pool: SshPool, profile: Profile, host: string, login: ProveLogin): Promise<ProveResult> {
  if (login === 'current' || login.network !== 'vpn') return pool.prove(host, login);
  const { readVpnAddress } = await import('../run/vpn-round.js');
  const at = await readVpnAddress(await pool.runner(host), profile);
  return pool.prove(host, login, {}, at);
}

function invocation(raw: Record<string, unknown>): string {
  const parts = ['apply'];
  if (typeof raw['plan'] === 'string') parts.push('--plan', path.basename(raw['plan']));
  if (typeof raw['host'] === 'string') parts.push('--host', raw['host']);
  if (typeof raw['only'] === 'string') parts.push('--only', raw['only']);
  for (const flag of ['breakLock', 'allowDestroy', 'failFast'] as const) if (raw[flag] === true) parts.push(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  return parts.join(' ');
}

/** Refuse a saved plan made from another profile, or from other steps than the profile builds now. */
function checkSavedPlanAgainstProfile(saved: Plan, setup: EngineSetup, file: string): void {
  if (saved.profile !== setup.profileName || saved.project !== setup.profile.project.name) {
    throw new PlanStaleError(`${file} was made for profile '${saved.profile}' (project ${saved.project}), not '${setup.profileName}'`);
  }
  for (const work of setup.work) {
    const host = saved.hosts.find((h) => h.host === work.host.name);
    if (!host) throw new PlanStaleError(`${file} has no host ${work.host.name}`);
    if (host.problem) throw new PlanStaleError(`${work.host.name} could not be planned when the plan was made (${host.problem.message})`);
  }
}

export const applyCommand: CommandRunner = async (global, io, _args, raw) => {
  const options = engineOptions(raw);
  const planFile = typeof raw['plan'] === 'string' ? path.resolve(io.cwd, raw['plan']) : undefined;
  const breakLock = raw['breakLock'] === true;
  const failFast = raw['failFast'] === true;
  const allowDestroy = raw['allowDestroy'] === true;
  if (planFile && (options.host !== undefined || options.only !== undefined)) {
    throw new WizardError('usage', '--plan cannot be combined with --host or --only', 'the saved plan already fixes the hosts and phases; make a new plan for others');
  }

  let saved: Plan | undefined;
  if (planFile) {
    let text: string;
    try {
      text = await readFile(planFile, 'utf8');
    } catch (error) {
      throw new WizardError('plan-unreadable', `cannot read ${planFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, 'create it with `homelab-wizard plan --out FILE`', { cause: error });
    }
    saved = parseSavedPlan(text, planFile);
  }
  const selection = saved ? { host: saved.hosts.map((h) => h.host).join(','), only: saved.phases.join(','), io } : { ...options, io };
  let setup = await prepareEngine(global, selection);
  if (saved && planFile) {
    checkSavedPlanAgainstProfile(saved, setup, planFile);
    for (const work of setup.work) {
      const host = saved.hosts.find((h) => h.host === work.host.name);
      if (host && host.desiredDigest !== desiredDigest(work.steps)) throw new PlanStaleError(`the profile or its templates changed for ${work.host.name} since ${path.basename(planFile)} was made`);
    }
  }

  const command = invocation(raw);

  // Provision (Hetzner) and dns (OVH) talk to provider APIs, before any SSH connection: a new
  // server's address is written into the profile, which is then read again.
  const cloud = hasCloudWork(setup) ? await (await import('../run/cloud-phases.js')).applyCloudPhases({ global, io, setup }, { allowDestroy }) : { steps: [], profileChanged: false };
  if (cloud.profileChanged) setup = await prepareEngine(global, selection);

  const reachable = setup.work.some((w) => w.host.address !== undefined);
  let run: EngineRun | undefined;
  const traceLine = (host: string, line: string): void => run?.log(`[${host}] ssh: ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
  const opened = reachable ? await openPool(setup, global, { acceptNewHostKeys: options.acceptNewHostKeys, io, trace: traceLine }) : undefined;
  const secrets = secretsOf(setup.work, opened?.sudoSecrets ?? []);
  const redact = (text: string): string => redactSecrets(text, secrets);
  run = new EngineRun(global, io, {
    profileName: setup.profileName,
    project: setup.layout.project,
    command,
    hosts: setup.work.map((w) => w.host.name),
    phases: setup.phases,
    redact,
    breakLock,
    ...(opened ? { proveAccess: (host: string, login: ProveLogin) => proveThrough(opened.pool, setup.profile, host, login) } : {}),
    dropConnections: () => void opened?.pool.destroy(),
    stopMessage: 'Stopping after the current step (press Ctrl+C again to drop the connections now; the lock is then taken over by your next apply).',
  });
  const engine = run;
  const { record, ctx } = engine;
  let view: ReturnType<typeof createApplyView> | undefined;
  // The vpn round runs after the tree is drawn: its steps are printed line by line.
  let viewDone = false;
  engine.show((event) => {
    if (!viewDone) view?.publish(event);
    else if (event.type === 'step-progress' && !global.json) io.stdout(`  ${event.host}  ${event.step}: ${event.message}\n`);
    else if (event.type === 'step-done' && !global.json) io.stdout(`  ${event.host}  ${event.step}: ${event.result}${event.result === 'failed' ? ' (see below)' : ''}\n`);
  });
  for (const step of cloud.steps) engine.emit({ type: 'cloud-change', host: step.host, phase: step.phase, step: step.id, action: step.action, describe: step.describe });

  let outcomes: readonly HostOutcome[] = [];
  let smoke: HostSmoke[] | undefined;
  let fatal: unknown;
  if (!global.json && setup.work.length > 0) {
    const names = setup.work.map((w) => w.host.name);
    io.stderr(`Connecting to ${names.join(', ')}, taking ${names.length === 1 ? 'its lock' : 'their locks'} and checking every step…\n`);
  }
  let drawing: Promise<void> | undefined;
  try {
    // The join and vpn-only steps wait for the second round (below): the hub's Headscale comes up in this one.
    const targets: ApplyTarget[] = setup.work.map((work) => ({
      host: work.host.name,
      steps: work.steps.filter((s) => !isLateVpnStep(s)),
      runner: async () => {
        if (work.host.address === undefined || !opened) throw notProvisioned(work.host);
        return opened.pool.runner(work.host.name);
      },
    }));
    // The gate: a saved plan must still match the hosts; destructive changes need consent.
    const gate = async (sessions: readonly HostSession[]): Promise<boolean> => {
      if (saved && planFile) {
        for (const s of sessions) {
          const then = saved.hosts.find((h) => h.host === s.runner.host);
          if (then && then.observedDigest !== s.plan.observedDigest) throw new PlanStaleError(`${s.runner.host} changed since ${path.basename(planFile)} was made`);
        }
      }
      const destructive = sessions.flatMap((s) => s.plan.steps.filter((st) => st.risk === 'destructive' && st.action !== '=').map((st) => `${s.runner.host}: ${st.id}`));
      if (destructive.length === 0 || allowDestroy) return false;
      if (global.nonInteractive) throw new DestructiveRefusedError(destructive.join(', '));
      io.stderr(`These steps destroy data:\n${destructive.map((d) => `  - ${d}`).join('\n')}\n`);
      const answer = await io.prompts.line(`Type the profile name (${setup.profileName}) to go on:`);
      if (answer.trim() !== setup.profileName) throw new DestructiveRefusedError(destructive.join(', '));
      return true;
    };
    // The tree is drawn once every prompt is answered: listr2 and prompts never share the terminal.
    const onStart = (sessions: readonly HostSession[]): void => {
      const viewHosts: ViewHost[] = setup.work.map((work) => {
        const session = sessions.find((s) => s.runner.host === work.host.name);
        const problem = record.problems.find((p) => p.host === work.host.name);
        if (!session) return { host: work.host.name, steps: [], problem: problem?.message ?? 'not started' };
        return { host: work.host.name, target: session.runner.target, steps: session.plan.steps.map((s) => ({ id: s.id, phase: s.phase, describe: s.describe, action: s.action })) };
      });
      const ci = io.env['CI'] !== undefined && io.env['CI'] !== '' && io.env['CI'] !== 'false' && io.env['CI'] !== '0';
      const toStderr = global.json;
      const terminal = (toStderr ? io.stderrTerminal : io.stdoutTerminal) === true && !ci;
      const write = toStderr ? io.stderr : io.stdout;
      const stream = terminal ? (toStderr ? process.stderr : process.stdout) : new Writable({ write: (chunk, _enc, done) => { write(String(chunk)); done(); } });
      view = createApplyView(viewHosts, { verbose: global.verbose, concurrency: options.concurrency, renderer: terminal ? 'default' : 'simple', stream });
      drawing = view.run();
    };
    const result = await runApply(targets, {
      ctx,
      concurrency: options.concurrency,
      failFast,
      allowDestroy,
      signal: engine.signal,
      gate,
      onStart,
      isFatal: (error) => error instanceof UserAbortError,
    });
    outcomes = result.outcomes;
    await drawing;
    drawing = undefined;
    viewDone = true;
    if (opened && setup.work.some((w) => w.steps.some(isLateVpnStep)) && !engine.signal.aborted && !(failFast && record.failedHosts.length > 0)) {
      const { runVpnRound } = await import('../run/vpn-round.js');
      const { identityFor } = await import('../session/vault-access.js');
      const late = await runVpnRound({
        global, io, identity: () => identityFor(global, io), setup, pool: opened.pool, ctx, secrets, concurrency: options.concurrency, failFast, signal: engine.signal, failed: new Set(record.failedHosts),
      });
      outcomes = [...outcomes, ...late];
    }
    // The smoke phase checks, it changes nothing: after the tree is drawn, on the hosts whose
    // apply went through (in both rounds), over the same connections.
    const wentThrough = (host: string): boolean => outcomes.every((o) => o.host !== host || o.result === 'ok' || o.result === 'no-changes');
    const passed = [...new Set(outcomes.map((o) => o.host))].filter(wentThrough);
    if (setup.phases.includes('smoke') && opened && passed.length > 0 && !engine.interrupted) {
      if (!global.json) io.stderr('Running the smoke checks…\n');
      smoke = await runSmoke({
        profile: setup.profile,
        hosts: setup.work.filter((w) => passed.includes(w.host.name)).map((w) => w.host),
        runner: (name) => opened.pool.runner(name),
        secrets: vaultSecretSource(global, io, setup.vault.vaultName),
      });
      for (const h of smoke) for (const r of h.results) engine.log(`[${h.host}] smoke ${r.status} ${r.id}: ${r.reason}`);
    }
  } catch (error) {
    view?.abort(error);
    fatal = error;
  } finally {
    await drawing;
    await opened?.pool.closeAll();
  }

  const smokeFailed = smoke !== undefined && smokeExitCode(smoke, false) !== 0;
  const failed = record.failedHosts;
  const interrupted = engine.interrupted;
  const result = interrupted ? 'aborted' : failed.length > 0 || fatal !== undefined || smokeFailed ? 'failed' : 'ok';
  // One JSON line with every smoke result, before run-done so a reader can stop at run-done.
  if (smoke && global.json) io.stdout(`${JSON.stringify({ type: 'smoke', at: new Date().toISOString(), ...smokeJson(smoke, false) })}\n`);
  engine.finish(result);
  if (fatal !== undefined) throw fatal;
  if (!interrupted) {
    // Rotated secrets are in the running services now: `secrets show` stops asking for a redeploy.
    try {
      const cleared = await clearRedeployed(global, io, setup, outcomes);
      if (cleared.length > 0) io.stderr(`Redeployed with their current secrets: ${cleared.join(', ')} (removed from the vault's redeploy record).\n`);
    } catch (error) {
      io.stderr(`warning: the vault's redeploy record was not updated (${error instanceof Error ? error.message : String(error)}); \`secrets show\` may still list services to redeploy\n`);
    }
  }

  const report = renderFailures(record, engine.paths.log);
  if (report.trim() !== '') io.stderr(`\n${report}`);
  if (smoke) {
    if (!global.json) io.stdout(`\n${renderSmokeTable(smoke)}${renderSmokeSummary(smoke, false)}\n`);
    const failures = renderSmokeFailures(smoke, false);
    if (failures !== '') io.stderr(`\n${failures}`);
  }
  const applied = renderSummary(record, setup.work.length, interrupted);
  const verdict = smokeFailed ? `${applied.replace(/^Apply complete/, 'Apply failed')} The smoke checks failed.` : applied;
  const summary = `${verdict} Log: ${engine.logShown()}\n`;
  if (global.json) io.stderr(summary);
  else io.stdout(summary);
  if (interrupted) return EXIT_ABORTED;
  return failed.length > 0 || outcomes.some((o) => o.result === 'failed') || smokeFailed ? EXIT_ERROR : EXIT_OK;
};
