import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CommandRunner } from '../contracts/command-runner.js';
import { UserAbortError, WizardError } from '../errors.js';
import { DestructiveRefusedError, PlanStaleError } from '../engine/errors.js';
import type { ProveLogin, ProveResult } from '../engine/access.js';
import type { RunEvent } from '../engine/events.js';
import type { HostOutcome, HostSession, LockDecision, LockHolder, SessionContext } from '../engine/host-session.js';
import { runApply, type ApplyTarget } from '../engine/run-apply.js';
import { EXIT_ABORTED, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { redact as redactSecrets } from '../lib/secret.js';
import { desiredDigest } from '../plan/digest.js';
import type { LockInfo } from '../plan/host-state.js';
import type { Plan } from '../plan/plan.js';
import { parseSavedPlan } from '../plan/saved-plan.js';
import { createApplyView, type ViewHost } from '../tasks/apply-view.js';
import { guardEventLine, RunRecord, renderFailures, renderSummary } from '../run/apply-report.js';
import { notProvisioned, openPool, prepareEngine, secretsOf, type EngineSetup } from '../session/engine-setup.js';
import { engineOptions } from '../session/engine-options.js';
import { hasCloudWork } from '../run/cloud-work.js';
import { findRun, lastUnfinishedRun, newRunId, previousRunNotice, RunFiles, runFilePaths } from '../run/run-files.js';
import { pidAlive } from '../lib/pid-alive.js';
import { clearRedeployed } from './redeploy-done.js';
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

/** A lock older than this is reported as possibly stale (it is still never broken without asking). */
const OLD_LOCK_MS = 60 * 60 * 1000;

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

  const started = new Date();
  const runId = newRunId(started);
  const paths = runFilePaths(global.dir, runId);
  const operatorHost = os.hostname();
  const owner = os.userInfo().username;
  const command = invocation(raw);
  const previous = lastUnfinishedRun(global.dir);

  // Provision (Hetzner) and dns (OVH) talk to provider APIs, before any SSH connection: a new
  // server's address is written into the profile, which is then read again.
  const cloud = hasCloudWork(setup) ? await (await import('../run/cloud-phases.js')).applyCloudPhases({ global, io, setup }, { allowDestroy }) : { steps: [], profileChanged: false };
  if (cloud.profileChanged) setup = await prepareEngine(global, selection);

  const reachable = setup.work.some((w) => w.host.address !== undefined);
  let files: RunFiles | undefined;
  const traceLine = (host: string, line: string): void => files?.log(`[${host}] ssh: ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
  const opened = reachable ? await openPool(setup, global, { acceptNewHostKeys: options.acceptNewHostKeys, io, trace: traceLine }) : undefined;
  const secrets = secretsOf(setup.work, opened?.sudoSecrets ?? []);
  const redact = (text: string): string => redactSecrets(text, secrets);
  files = new RunFiles(paths, redact);

  const record = new RunRecord();
  let view: ReturnType<typeof createApplyView> | undefined;
  // The vpn round runs after the tree is drawn: its steps are printed line by line.
  let viewDone = false;
  const emit = (event: RunEvent): void => {
    const timed = { ...event, at: new Date().toISOString() };
    record.add(event);
    files?.journal(timed, event.type === 'run-start' ? { pid: process.pid, operatorHost } : {});
    if (event.type === 'command') files?.log(`[${event.host}] ${event.step} ${event.stage}: $ ${event.command}`);
    else if (event.type === 'step-output') files?.log(`[${event.host}] ${event.step} ${event.stream === 'stderr' ? '!' : '|'} ${event.line}`);
    else if (event.type === 'step-progress') files?.log(`[${event.host}] ${event.step} ~ ${event.message}`);
    else if (event.type !== 'run-start') files?.log(`[${'host' in event ? event.host : 'run'}] ${event.type} ${JSON.stringify(event)}`);
    if (global.json) io.stdout(`${JSON.stringify(timed)}\n`);
    // Guards of an earlier run are resolved while the hosts are locked, before the tree is drawn.
    else if (event.type === 'guard' && event.reason !== undefined) io.stderr(`${guardEventLine(event)}\n`);
    if (!viewDone) view?.publish(event);
    else if (event.type === 'step-progress' && !global.json) io.stdout(`  ${event.host}  ${event.step}: ${event.message}\n`);
    else if (event.type === 'step-done' && !global.json) io.stdout(`  ${event.host}  ${event.step}: ${event.result}${event.result === 'failed' ? ' (see below)' : ''}\n`);
  };

  const lockInfo: LockInfo = { runId, owner, operatorHost, pid: process.pid, startedAt: started.toISOString(), command };
  const onLockHeld = async (_host: string, holder: LockHolder): Promise<LockDecision> => {
    if ('unreadable' in holder) return breakLock ? { takeOver: '', note: 'broken with --break-lock' } : { refuse: true };
    if (breakLock) return { takeOver: holder.runId, note: 'broken with --break-lock' };
    const sameMachine = holder.operatorHost === operatorHost;
    const dead = sameMachine && holder.pid !== process.pid && !pidAlive(holder.pid);
    const run = sameMachine ? findRun(global.dir, holder.runId) : undefined;
    if (dead && run !== undefined) {
      io.stderr(`Taking over the lock of run ${holder.runId}: its process (pid ${holder.pid}) on this machine is gone.\n`);
      return { takeOver: holder.runId, note: `run ${holder.runId} was killed` };
    }
    // Its process runs here: in progress, however long it has been going.
    if (sameMachine && holder.pid !== process.pid && !dead) return { refuse: true, inProgress: true };
    const age = Date.now() - Date.parse(holder.startedAt);
    if (dead) return { refuse: true, stale: `it is stale: its process (pid ${holder.pid}) no longer runs on this machine` };
    if (age > OLD_LOCK_MS) return { refuse: true, stale: `it may be stale: taken ${Math.round(age / 60_000)} minutes ago` };
    return { refuse: true };
  };
  const ctx: SessionContext = { runId, project: setup.layout.project, lockInfo, emit, redact, now: () => new Date(), audit: { who: `${owner}@${operatorHost}`, command, profile: setup.profileName }, onLockHeld,
    ...(opened ? { proveAccess: (host: string, login: ProveLogin) => proveThrough(opened.pool, setup.profile, host, login) } : {}) };

  const controller = new AbortController();
  let interrupted = false;
  const onSigint = (): void => {
    if (!interrupted) {
      interrupted = true;
      controller.abort();
      io.stderr('\nStopping after the current step (press Ctrl+C again to drop the connections now; the lock is then taken over by your next apply).\n');
    } else void opened?.pool.destroy();
  };
  process.on('SIGINT', onSigint);
  // A polite kill (SIGTERM, e.g. from a CI runner) also stops at the next step and releases the locks.
  process.on('SIGTERM', onSigint);

  emit({ type: 'run-start', runId, command, profile: setup.profileName, hosts: setup.work.map((w) => w.host.name), phases: setup.phases });
  for (const step of cloud.steps) emit({ type: 'cloud-change', host: step.host, phase: step.phase, step: step.id, action: step.action, describe: step.describe });
  const notice = previous ? previousRunNotice(previous, operatorHost, pidAlive) : undefined;
  if (notice && !global.json) io.stderr(`${notice}\n`);

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
      const { input } = await import('@inquirer/prompts');
      const answer = await input({ message: `Type the profile name (${setup.profileName}) to go on:` }, { output: process.stderr }).catch((error: unknown) => {
        throw error instanceof Error && error.name === 'ExitPromptError' ? new UserAbortError() : error;
      });
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
      signal: controller.signal,
      gate,
      onStart,
      isFatal: (error) => error instanceof UserAbortError,
    });
    outcomes = result.outcomes;
    await drawing;
    drawing = undefined;
    viewDone = true;
    if (opened && setup.work.some((w) => w.steps.some(isLateVpnStep)) && !controller.signal.aborted && !(failFast && record.failedHosts.length > 0)) {
      const { runVpnRound } = await import('../run/vpn-round.js');
      const { identityFor } = await import('../session/vault-access.js');
      const late = await runVpnRound({
        global, io, identity: () => identityFor(global, io), setup, pool: opened.pool, ctx, secrets, concurrency: options.concurrency, failFast, signal: controller.signal, failed: new Set(record.failedHosts),
      });
      outcomes = [...outcomes, ...late];
    }
    // The smoke phase checks, it changes nothing: after the tree is drawn, on the hosts whose
    // apply went through (in both rounds), over the same connections.
    const wentThrough = (host: string): boolean => outcomes.every((o) => o.host !== host || o.result === 'ok' || o.result === 'no-changes');
    const passed = [...new Set(outcomes.map((o) => o.host))].filter(wentThrough);
    if (setup.phases.includes('smoke') && opened && passed.length > 0 && !interrupted) {
      if (!global.json) io.stderr('Running the smoke checks…\n');
      smoke = await runSmoke({
        profile: setup.profile,
        hosts: setup.work.filter((w) => passed.includes(w.host.name)).map((w) => w.host),
        runner: (name) => opened.pool.runner(name),
        secrets: vaultSecretSource(global, io, setup.vault.vaultName),
      });
      for (const h of smoke) for (const r of h.results) files.log(`[${h.host}] smoke ${r.status} ${r.id}: ${r.reason}`);
    }
  } catch (error) {
    view?.abort(error);
    fatal = error;
  } finally {
    await drawing;
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await opened?.pool.closeAll();
  }

  const smokeFailed = smoke !== undefined && smokeExitCode(smoke, false) !== 0;
  const failed = record.failedHosts;
  const result = interrupted ? 'aborted' : failed.length > 0 || fatal !== undefined || smokeFailed ? 'failed' : 'ok';
  // One JSON line with every smoke result, before run-done so a reader can stop at run-done.
  if (smoke && global.json) io.stdout(`${JSON.stringify({ type: 'smoke', at: new Date().toISOString(), ...smokeJson(smoke, false) })}\n`);
  emit({ type: 'run-done', result, changed: record.changed, unchanged: record.unchanged, failedHosts: failed });
  files.close();
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

  const report = renderFailures(record, paths.log);
  if (report.trim() !== '') io.stderr(`\n${report}`);
  if (smoke) {
    if (!global.json) io.stdout(`\n${renderSmokeTable(smoke)}${renderSmokeSummary(smoke, false)}\n`);
    const failures = renderSmokeFailures(smoke, false);
    if (failures !== '') io.stderr(`\n${failures}`);
  }
  const applied = renderSummary(record, setup.work.length, interrupted);
  const verdict = smokeFailed ? `${applied.replace(/^Apply complete/, 'Apply failed')} The smoke checks failed.` : applied;
  const summary = `${verdict} Log: ${path.relative(io.cwd, paths.log) || paths.log}\n`;
  if (global.json) io.stderr(summary);
  else io.stdout(summary);
  if (interrupted) return EXIT_ABORTED;
  return failed.length > 0 || outcomes.some((o) => o.result === 'failed') || smokeFailed ? EXIT_ERROR : EXIT_OK;
};
