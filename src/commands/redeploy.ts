import type { CommandRunner } from '../contracts/command-runner.js';
import type { Io } from '../contracts/io.js';
import type { GlobalOptions } from '../contracts/global-options.js';
import { UserAbortError, WizardError } from '../errors.js';
import { StepFailedError } from '../engine/errors.js';
import type { Runner } from '../engine/runner.js';
import { EXIT_ABORTED, EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { isSecret, Secret } from '../lib/secret.js';
import { unifiedDiff } from '../plan/unified-diff.js';
import { COMPOSE_FILES, manifestOf, type ReleaseManifest } from '../render/release-manifest.js';
import { renderRelease } from '../render/release.js';
import { confirmDecision, nameConfirms } from '../steps/day2/confirmation.js';
import { readCurrentFiles, serviceReleaseStep } from '../steps/day2/day2-steps.js';
import { describeEnvDiff, envKeyDiff } from '../steps/day2/env-diff.js';
import { imageTag } from '../plan/container-health.js';
import { containerHealth, type HostSnapshot } from '../steps/day2/host-snapshot.js';
import { EXIT_GATE_NOT_RESTORED, EXIT_GATE_RESTORED } from '../steps/day2/scripts.js';
import { othersChanged, planServiceRelease, withRunningContainer, type ServicePlan } from '../steps/day2/service-release.js';
import { openDay2, runDay2, type Day2Host, type Day2Result } from '../run/day2-session.js';

/** The running release with its manifest, or a clear error when there is none to build on. */
export function runningRelease(host: string, snapshot: HostSnapshot): { id: string; manifest: ReleaseManifest; compose: { infra?: string; apps?: string } } {
  const id = snapshot.current;
  if (id === undefined) throw new WizardError('release-legacy', `${host}: nothing is deployed yet`, 'deploy first: `homelab-wizard apply --only deploy`');
  const r = snapshot.releases.find((x) => x.id === id);
  if (!r?.manifest) throw new WizardError('release-legacy', `${host}: the running release ${id} has no release.json (deployed by an older version)`, 'run `homelab-wizard apply --only deploy` once; redeploy and rollback work from then on');
  return { id, manifest: r.manifest, compose: r.compose };
}

/** Shows a table to choose a row from; undefined when cancelled. Mounted by cli/ (flows draw no UI themselves). */
export type PickOne = (props: { readonly title: string; readonly columns: readonly string[]; readonly rows: readonly { readonly value: string; readonly cells: readonly string[]; readonly warn?: boolean }[]; readonly value?: string }) => Promise<string | undefined>;

/** Yes/no, or the profile name typed (a production profile), through the prompts cli/ supplies. */
async function ask(io: Io, kind: 'ask-yes-no' | 'ask-name', profileName: string, what: string): Promise<boolean> {
  if (kind === 'ask-yes-no') return io.prompts.confirm(`${what}?`);
  return nameConfirms(await io.prompts.line(`${profileName} is a production profile. Type its name to ${what.toLowerCase()}:`), profileName);
}

/** What every day-2 change needs before it starts: --yes, --confirm NAME, or an answer. */
export async function confirmChange(d: Day2Host, global: GlobalOptions, io: Io, confirm: string | undefined, what: string): Promise<void> {
  const decision = confirmDecision({ profileName: d.profileName, production: d.profile.project.production, yes: global.yes, interactive: !global.nonInteractive, ...(confirm !== undefined ? { confirm } : {}) });
  if (decision.kind !== 'go' && !(await ask(io, decision.kind, d.profileName, what))) {
    throw new WizardError('not-confirmed', 'not confirmed: nothing was changed', `run it again and confirm, or use --yes${d.profile.project.production ? ` / --confirm ${d.profileName}` : ''}`);
  }
}

/** How a day-2 step ended, from the run's outcome: exit codes and data, never message text. */
export type Day2Ending = { readonly kind: 'unchanged' | 'ok' | 'aborted' } | { readonly kind: 'restored' | 'not-restored' | 'failed'; readonly reason: readonly string[] };

export function day2Ending(result: Day2Result): Day2Ending {
  if (result.interrupted) return { kind: 'aborted' };
  const outcome = result.outcome;
  if (outcome?.result === 'no-changes') return { kind: 'unchanged' };
  if (outcome?.result === 'ok') return { kind: 'ok' };
  if (outcome?.result === 'aborted') return { kind: 'aborted' };
  const error = outcome?.error;
  if (error instanceof StepFailedError) {
    const kind = error.remoteExitCode === EXIT_GATE_RESTORED ? 'restored' : error.remoteExitCode === EXIT_GATE_NOT_RESTORED ? 'not-restored' : 'failed';
    return { kind, reason: kind === 'failed' ? [error.message, ...error.stderrTail] : error.stderrTail };
  }
  return { kind: 'failed', reason: [error instanceof Error ? error.message : 'the step failed'] };
}

/** The exit code and the lines of a failed day-2 step, on stderr. */
export function reportFailure(io: Io, ending: Day2Ending, log: string, restored: string, notRestored: string): number {
  if (ending.kind === 'aborted') {
    io.stderr(`Stopped before the change finished. Log: ${log}\n`);
    return EXIT_ABORTED;
  }
  if ('reason' in ending) io.stderr(`${ending.reason.map((l) => `  ${l.trim()}`).join('\n')}\n`);
  io.stderr(ending.kind === 'restored' ? `error: ${restored}\n` : ending.kind === 'not-restored' ? `error: ${notRestored}\n` : `error: the change failed (log: ${log})\n`);
  return EXIT_ERROR;
}

/** The old content of the service's changed files, read from the running release (secret ones stay Secret). */
async function oldContents(d: Day2Host, runner: Runner, paths: readonly string[]): Promise<Map<string, Secret>> {
  if (paths.length === 0) return new Map();
  const r = await runner.exec(readCurrentFiles(d.target, paths));
  const out = new Map<string, Secret>();
  for (const line of r.stdout.split('\n')) {
    const [p, b64] = line.split(' ');
    if (p) out.set(p, Secret.of(Buffer.from(b64 ?? '', 'base64').toString('utf8')));
  }
  return out;
}

/** What the operator sees before confirming: image change and each file's change, values never shown. */
async function describePlan(d: Day2Host, runner: Runner, plan: ServicePlan, content: ReadonlyMap<string, string | Secret>): Promise<{ lines: string[]; files: object[] }> {
  const lines: string[] = [`${plan.service} on ${d.host.name}: release ${plan.base} → ${plan.manifest.release}`];
  lines.push(plan.imageBefore === plan.imageAfter ? `  image: ${plan.imageAfter} (unchanged)` : `  image: ${plan.imageBefore} → ${plan.imageAfter}`);
  if (plan.recreate) lines.push(`  its container does not run what release ${plan.base} defines for it (inputs label differs, or no container): it is recreated from that release`);
  const before = await oldContents(d, runner, plan.fileChanges.filter((c) => c.change === 'changed').map((c) => c.path));
  const files: object[] = [];
  for (const change of plan.fileChanges) {
    const next = content.get(change.path);
    const old = before.get(change.path);
    if (change.path.endsWith('.env')) {
      const diff = envKeyDiff(old?.reveal() ?? '', next === undefined ? '' : isSecret(next) ? next.reveal() : next);
      lines.push(`  ${change.change} ${change.path}: ${describeEnvDiff(diff).join(', ') || 'formatting only'}`);
      files.push({ path: change.path, change: change.change, keys: diff });
    } else if (next !== undefined && isSecret(next)) {
      lines.push(`  ${change.change} ${change.path}: secret changed (${Buffer.byteLength(next.reveal())} bytes)`);
      files.push({ path: change.path, change: change.change, secret: true });
    } else {
      lines.push(`  ${change.change} ${change.path}`);
      if (typeof next === 'string') lines.push(...unifiedDiff(old?.reveal() ?? '', next, { before: `running/${change.path}`, after: `new/${change.path}` }).split('\n').filter(Boolean).map((l) => `    ${l}`));
      files.push({ path: change.path, change: change.change });
    }
  }
  return { lines, files };
}

interface Planned {
  readonly service: string;
  readonly plan: ServicePlan;
  readonly others: readonly string[];
  readonly content: ReadonlyMap<string, string | Secret>;
}

/** The redeploy of one service, planned from the profile, the vault and what runs on the host. */
async function planRedeploy(d: Day2Host, snapshot: HostSnapshot, wanted: string | undefined, pick: PickOne): Promise<Planned> {
  const running = runningRelease(d.host.name, snapshot);
  const fresh = renderRelease({ profile: d.profile, host: d.host, projectDir: d.target.layout.project, secret: d.secret, templates: d.templates });
  if (fresh.missingSecrets.length > 0) {
    throw new WizardError('secret-missing', `${d.host.name}: the vault has no ${fresh.missingSecrets.join(', ')}`, 'run `homelab-wizard init` again, or `homelab-wizard secrets set KEY --generate`');
  }
  const freshManifest = manifestOf(fresh);
  let service = wanted;
  if (service === undefined) {
    const rows = Object.keys(running.manifest.services).sort().map((id) => {
      const c = snapshot.containers.find((x) => x.service === id);
      const health = containerHealth(c);
      const pinned = freshManifest.services[id]?.image;
      return { value: id, cells: [id, c ? imageTag(c.image) : '-', pinned ? imageTag(pinned) : '(not in profile)', health], warn: health !== 'healthy' && health !== 'running' };
    });
    service = await pick({ title: `Redeploy which service on ${d.host.name}?`, columns: ['service', 'running', 'pinned', 'health'], rows });
    if (service === undefined) throw new UserAbortError();
  }
  const content = new Map(fresh.files.map((f) => [f.path, f.content] as const));
  const compose = { infra: content.get(COMPOSE_FILES.infra) as string, apps: content.get(COMPOSE_FILES.apps) as string };
  const planned = withRunningContainer(
    planServiceRelease(service, running, { kind: 'profile', manifest: freshManifest, compose, content }, new Set(snapshot.releases.map((r) => r.id))),
    snapshot.containers.find((c) => c.service === service),
  );
  // Nothing to write: the running release folder is used as it is (never seeded over itself).
  const plan = planned.unchanged ? { ...planned, reuse: true } : planned;
  return { service, plan, others: othersChanged(running, { manifest: freshManifest, compose }, service), content };
}

function othersNote(others: readonly string[]): string {
  if (others.length === 0) return '';
  return `The profile also changed ${others.join(', ')}: ${others.length === 1 ? 'it keeps' : 'they keep'} what runs now (\`homelab-wizard apply --only deploy\` deploys everything).\n`;
}

export const redeployCommand = (pick: PickOne): CommandRunner => async (global, io, args, raw) => {
  const wanted = typeof args[0] === 'string' ? args[0] : undefined;
  if (wanted === undefined && (global.nonInteractive || global.json)) {
    throw new WizardError('usage', 'redeploy needs the SERVICE argument without a terminal', 'name it, e.g. `homelab-wizard redeploy n8n --yes`');
  }
  const confirm = typeof raw['confirm'] === 'string' ? raw['confirm'] : undefined;
  const dryRun = raw['dryRun'] === true;
  const d = await openDay2(global, io, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), ...(wanted ? { service: wanted } : {}), acceptNewHostKeys: raw['acceptNewHostKeys'] === true });
  const out = global.json ? io.stderr : io.stdout;

  let planned: Planned | undefined;
  let shownFiles: object[] = [];
  const result = await runDay2(
    d,
    global,
    io,
    {
      command: `redeploy${wanted ? ` ${wanted}` : ''}`,
      steps: async (snapshot) => {
        planned = await planRedeploy(d, snapshot, wanted, pick);
        return [serviceReleaseStep('redeploy', planned.plan, d.target)];
      },
      show: async ({ runner, plan }) => {
        const p = planned as Planned;
        if (plan.steps.every((s) => s.action === '=')) {
          out(`${p.service} on ${d.host.name} already runs what the profile and the vault say: nothing to redeploy.\n${othersNote(p.others)}`);
          return;
        }
        const shown = await describePlan(d, runner, p.plan, p.content);
        shownFiles = shown.files;
        out(`${shown.lines.join('\n')}\n${othersNote(p.others)}`);
      },
      confirm: () => confirmChange(d, global, io, confirm, `Redeploy ${(planned as Planned).service}`),
      starting: `Deploying ${wanted ?? 'it'} (only it), waiting for it to be healthy…`,
    },
    { dryRun },
  );
  const p = planned as Planned;
  const report = (outcome: string, extra: object = {}): void => {
    if (global.json) io.stdout(`${JSON.stringify({ host: d.host.name, service: p.service, from: p.plan.base, to: p.plan.manifest.release, image: { before: p.plan.imageBefore, after: p.plan.imageAfter }, othersChanged: p.others, result: outcome, ...extra })}\n`);
  };
  if (result.dryRun) {
    const changes = result.dryRun.steps.some((s) => s.action !== '=');
    report(changes ? 'would-change' : 'no-changes', { dryRun: true, reasons: result.dryRun.steps.flatMap((s) => s.reasons) });
    return changes ? EXIT_CHANGES : EXIT_OK;
  }
  const ending = day2Ending(result);
  if (ending.kind === 'unchanged') {
    report('no-changes');
    return EXIT_OK;
  }
  if (ending.kind === 'ok') {
    out(`${p.service} is healthy on release ${p.plan.manifest.release}; current → releases/${p.plan.manifest.release}.\n`);
    report('ok', { files: shownFiles });
    return EXIT_OK;
  }
  const code = reportFailure(
    io,
    ending,
    result.log,
    `${p.service} failed its health gate and was rolled back to release ${p.plan.base}; it is healthy again.`,
    `${p.service} failed its health gate and could NOT be brought back healthy: check the host (\`docker ps\`) now.`,
  );
  report(ending.kind === 'restored' ? 'rolled-back' : ending.kind === 'aborted' ? 'aborted' : 'failed', 'reason' in ending ? { reason: ending.reason } : {});
  return code;
};
