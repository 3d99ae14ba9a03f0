import type { CommandRunner } from '../contracts/command-runner.js';
import type { Io } from '../contracts/io.js';
import { UserAbortError, WizardError } from '../errors.js';
import { EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { isSecret, Secret } from '../lib/secret.js';
import { unifiedDiff } from '../plan/unified-diff.js';
import { COMPOSE_FILES, manifestOf, type ReleaseManifest } from '../render/release-manifest.js';
import { renderRelease } from '../render/release.js';
import { confirmDecision, nameConfirms } from '../steps/day2/confirmation.js';
import { describeEnvDiff, envKeyDiff } from '../steps/day2/env-diff.js';
import { healthOf, imageTag } from '../steps/day2/host-snapshot.js';
import { othersChanged, planServiceRelease, withRunningContainer, type ServicePlan } from '../steps/day2/service-release.js';
import { applyServicePlan } from './day2-apply.js';
import { openDay2, type Day2Session } from './day2-session.js';

/** The running release with its manifest, or a clear error when there is none to build on. */
export function runningRelease(s: Day2Session): { id: string; manifest: ReleaseManifest; compose: { infra?: string; apps?: string } } {
  const id = s.snapshot.current;
  if (id === undefined) throw new WizardError('release-legacy', `${s.host.name}: nothing is deployed yet`, 'deploy first: `homelab-wizard apply --only deploy`');
  const r = s.snapshot.releases.find((x) => x.id === id);
  if (!r?.manifest) throw new WizardError('release-legacy', `${s.host.name}: the running release ${id} has no release.json (deployed by an older version)`, 'run `homelab-wizard apply --only deploy` once; redeploy and rollback work from then on');
  return { id, manifest: r.manifest, compose: r.compose };
}

/** Yes/no or the typed profile name, on stderr. */
export async function confirmInteractively(kind: 'ask-yes-no' | 'ask-name', profileName: string, what: string): Promise<boolean> {
  const prompts = await import('@inquirer/prompts');
  const abort = (error: unknown): never => {
    throw error instanceof Error && error.name === 'ExitPromptError' ? new UserAbortError() : error;
  };
  process.stdin.ref?.();
  if (kind === 'ask-yes-no') return prompts.confirm({ message: `${what}?`, default: false }, { output: process.stderr }).catch(abort);
  const answer = await prompts.input({ message: `${profileName} is a production profile. Type its name to ${what.toLowerCase()}:` }, { output: process.stderr }).catch(abort);
  return nameConfirms(answer, profileName);
}

/** The old content of the service's changed files, read from the running release (secret ones stay Secret). */
async function oldContents(s: Day2Session, paths: readonly string[]): Promise<Map<string, Secret>> {
  if (paths.length === 0) return new Map();
  const r = await s.run('cd "$1/current" || exit 1; shift; for p in "$@"; do printf "%s %s\\n" "$p" "$(base64 -w0 -- "$p" 2>/dev/null)"; done', s.layout.project, ...paths);
  const out = new Map<string, Secret>();
  for (const line of r.stdout.split('\n')) {
    const [p, b64] = line.split(' ');
    if (p) out.set(p, Secret.of(Buffer.from(b64 ?? '', 'base64').toString('utf8')));
  }
  return out;
}

/** What the operator sees before confirming: image change and each file's change, values never shown. */
async function describePlan(s: Day2Session, plan: ServicePlan, content: ReadonlyMap<string, string | Secret>): Promise<{ lines: string[]; files: object[] }> {
  const lines: string[] = [`${plan.service} on ${s.host.name}: release ${plan.base} → ${plan.manifest.release}`];
  lines.push(plan.imageBefore === plan.imageAfter ? `  image: ${plan.imageAfter} (unchanged)` : `  image: ${plan.imageBefore} → ${plan.imageAfter}`);
  if (plan.recreate) lines.push(`  its container does not run what release ${plan.base} defines for it (inputs label differs, or no container): it is recreated from that release`);
  const before = await oldContents(s, plan.fileChanges.filter((c) => c.change === 'changed').map((c) => c.path));
  const files: object[] = [];
  for (const change of plan.fileChanges) {
    const next = content.get(change.path);
    const old = before.get(change.path);
    if (change.path.endsWith('.env')) {
      const d = envKeyDiff(old?.reveal() ?? '', next === undefined ? '' : isSecret(next) ? next.reveal() : next);
      lines.push(`  ${change.change} ${change.path}: ${describeEnvDiff(d).join(', ') || 'formatting only'}`);
      files.push({ path: change.path, change: change.change, keys: d });
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

/** Shows a table to choose a row from; undefined when cancelled. Mounted by cli/ (flows draw no UI themselves). */
export type PickOne = (props: { readonly title: string; readonly columns: readonly string[]; readonly rows: readonly { readonly value: string; readonly cells: readonly string[]; readonly warn?: boolean }[]; readonly value?: string }) => Promise<string | undefined>;

export const redeployCommand = (pick: PickOne): CommandRunner => async (global, io, args, raw) => {
  const wanted = typeof args[0] === 'string' ? args[0] : undefined;
  if (wanted === undefined && (global.nonInteractive || global.json)) {
    throw new WizardError('usage', 'redeploy needs the SERVICE argument without a terminal', 'name it, e.g. `homelab-wizard redeploy n8n --yes`');
  }
  const confirm = typeof raw['confirm'] === 'string' ? raw['confirm'] : undefined;
  const s = await openDay2(global, io, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), ...(wanted ? { service: wanted } : {}), command: `redeploy${wanted ? ` ${wanted}` : ''}`, acceptNewHostKeys: raw['acceptNewHostKeys'] === true });
  try {
    return await redeployOn(s, global, io, wanted, confirm, pick);
  } finally {
    await s.close();
  }
};

async function redeployOn(s: Day2Session, global: Parameters<CommandRunner>[0], io: Io, wanted: string | undefined, confirm: string | undefined, pick: PickOne): Promise<number> {
  const running = runningRelease(s);
  const fresh = renderRelease({ profile: s.profile, host: s.host, projectDir: s.layout.project, secret: s.secret });
  if (fresh.missingSecrets.length > 0) {
    throw new WizardError('secret-missing', `${s.host.name}: the vault has no ${fresh.missingSecrets.join(', ')}`, 'run `homelab-wizard init` again, or `homelab-wizard secrets set KEY --generate`');
  }
  const freshManifest = manifestOf(fresh);
  let service = wanted;
  if (service === undefined) {
    const rows = Object.keys(running.manifest.services).sort().map((id) => {
      const c = s.snapshot.containers.find((x) => x.service === id);
      const health = healthOf(c);
      const pinned = freshManifest.services[id]?.image;
      return { value: id, cells: [id, c ? imageTag(c.image) : '-', pinned ? imageTag(pinned) : '(not in profile)', health], warn: health !== 'healthy' && health !== 'running' };
    });
    service = await pick({ title: `Redeploy which service on ${s.host.name}?`, columns: ['service', 'running', 'pinned', 'health'], rows });
    if (service === undefined) throw new UserAbortError();
  }
  const content = new Map(fresh.files.map((f) => [f.path, f.content] as const));
  const plan = withRunningContainer(
    planServiceRelease(
      service,
      running,
      { kind: 'profile', manifest: freshManifest, compose: { infra: content.get(COMPOSE_FILES.infra) as string, apps: content.get(COMPOSE_FILES.apps) as string }, content },
      new Set(s.snapshot.releases.map((r) => r.id)),
    ),
    s.snapshot.containers.find((c) => c.service === service),
  );
  const others = othersChanged(running, { manifest: freshManifest, compose: { infra: content.get(COMPOSE_FILES.infra) as string, apps: content.get(COMPOSE_FILES.apps) as string } }, service);
  const note = others.length > 0 ? `The profile also changed ${others.join(', ')}: ${others.length === 1 ? 'it keeps' : 'they keep'} what runs now (\`homelab-wizard apply --only deploy\` deploys everything).` : undefined;
  const out = global.json ? io.stderr : io.stdout;
  const report = (result: string, extra: object = {}): void => {
    if (global.json) io.stdout(`${JSON.stringify({ host: s.host.name, service, from: plan.base, to: plan.manifest.release, image: { before: plan.imageBefore, after: plan.imageAfter }, othersChanged: others, result, ...extra })}\n`);
  };
  if (plan.unchanged) {
    out(`${service} on ${s.host.name} already runs what the profile and the vault say: nothing to redeploy.\n${note ? `${note}\n` : ''}`);
    report('no-changes');
    await s.finish('no-changes', 0);
    return EXIT_OK;
  }
  const shown = await describePlan(s, plan, content);
  out(`${shown.lines.join('\n')}\n${note ? `${note}\n` : ''}`);

  const decision = confirmDecision({ profileName: s.profileName, production: s.profile.project.production, yes: global.yes, interactive: !global.nonInteractive, ...(confirm !== undefined ? { confirm } : {}) });
  if (decision.kind !== 'go' && !(await confirmInteractively(decision.kind, s.profileName, `Redeploy ${service}`))) {
    throw new WizardError('not-confirmed', 'not confirmed: nothing was changed', `run it again and confirm, or use --yes${s.profile.project.production ? ` / --confirm ${s.profileName}` : ''}`);
  }
  out(`Deploying ${service} (only it), waiting for it to be healthy…\n`);
  const outcome = await applyServicePlan(s, plan);
  if (outcome.ok) {
    out(`${service} is healthy on release ${plan.manifest.release}; current → releases/${plan.manifest.release}.\n`);
    report('ok', { files: shown.files });
    await s.finish('ok', 1);
    return EXIT_OK;
  }
  io.stderr(`${outcome.reason.map((l) => `  ${l.trim()}`).join('\n')}\n`);
  io.stderr(outcome.restored ? `error: ${service} failed its health gate and was rolled back to release ${plan.base}; it is healthy again.\n` : `error: ${service} failed its health gate and could NOT be brought back healthy: check the host (\`docker ps\`) now.\n`);
  report(outcome.restored ? 'rolled-back' : 'failed', { reason: outcome.reason });
  await s.finish('failed', 0, `redeploy.${service}`);
  return EXIT_ERROR;
}
