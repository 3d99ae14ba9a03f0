import { UserAbortError, WizardError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { COMPOSE_FILES, stateText, type ReleaseManifest } from '../render/release-manifest.js';
import { SEED_SCRIPT, SERVICE_UP_SCRIPT, STACK_SWITCH_SCRIPT } from '../steps/day2/scripts.js';
import { changedComposeFiles, type ReleaseView, type ServicePlan } from '../steps/day2/service-release.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS, healthBound, healthBounds } from '../steps/deploy/health-gate.js';
import { PRUNE_RELEASES, SWITCH_CURRENT } from '../steps/deploy/stack.js';
import type { Day2Session } from './day2-session.js';

export type SwitchOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: readonly string[]; readonly restored: boolean };

function failed(s: Day2Session, what: string, stderr: string): WizardError {
  const last = s.redact(stderr).trim().split('\n').slice(-5).join(' / ');
  return new WizardError('redeploy-failed', `${s.host.name}: ${what}${last ? `: ${last}` : ''}`, 'nothing was switched; run the command again, with --verbose for details');
}

function checkStopped(s: Day2Session): void {
  if (s.stopped.aborted) throw new UserAbortError();
}

/** Old releases beyond the newest N, and releases that never went live (a failed gate), unless a container mounts them. */
async function prune(s: Day2Session): Promise<void> {
  const project = s.profile.project.name;
  await s.run(PRUNE_RELEASES, s.layout.releases, String(s.profile.deploy.keepReleases), `${project}-infra ${project}`);
}

async function switchCurrent(s: Day2Session, manifest: ReleaseManifest): Promise<void> {
  const sw = await s.run(SWITCH_CURRENT, s.layout.project, manifest.release);
  if (sw.code !== 0) throw failed(s, `switching current to ${manifest.release} failed`, sw.stderr);
  // 0600: it holds checksums of env files, which hold secrets.
  const state = await s.runner.upload({ path: `${s.layout.project}/state.json`, mode: '0600', owner: 'root:root', content: Secret.of(stateText(manifest)) });
  if (state.code !== 0) throw failed(s, 'writing state.json failed', state.stderr);
  await prune(s);
}

/**
 * One service to its new release: seed the folder from the running release, write (or copy) only
 * that service's files, bring up only that service, health-gated; `current` is switched only after
 * it is healthy. On a failed gate the service is brought back from the running release.
 */
export async function applyServicePlan(s: Day2Session, plan: ServicePlan): Promise<SwitchOutcome> {
  const id = plan.manifest.release;
  checkStopped(s);
  if (plan.reuse) {
    const same = await s.run('[ "$(readlink "$1/current")" = "releases/$2" ]', s.layout.project, plan.base);
    if (same.code !== 0) throw failed(s, 'current changed since this command read the host', '');
  } else {
    const seed = await s.run(SEED_SCRIPT, s.layout.project, plan.base, id, plan.copyFrom ?? '', ...plan.copies.map((p) => `c:${p}`), ...plan.removes.map((p) => `r:${p}`));
    if (seed.code !== 0) throw failed(s, `preparing release ${id} failed`, seed.stderr);
    for (const file of plan.uploads) {
      const content: string | Secret = file.content;
      const r = await s.runner.upload({ path: `${s.layout.releases}/${id}.tmp/${file.path}`, mode: file.mode, owner: file.owner, content });
      if (r.code !== 0) throw failed(s, `writing ${file.path} failed`, r.stderr);
    }
  }
  checkStopped(s);
  const project = plan.compose === 'infra' ? s.composeProjects.infra : s.composeProjects.apps;
  const up = await s.run(SERVICE_UP_SCRIPT, s.layout.project, id, plan.base, project, COMPOSE_FILES[plan.compose], plan.service, String(healthBound(plan.service)));
  if (up.code !== 0) {
    // The failed release never went live: its folder goes now, not at some later switch (it would
    // pile up in releases/ and make the next plan show a prune the operator never asked for).
    await prune(s);
    const reason = s.redact(up.stderr).split('\n').filter((l) => l.trim() !== '');
    return { ok: false, reason: reason.slice(-30), restored: reason.some((l) => /rolled .* back to release .*healthy/.test(l)) };
  }
  await switchCurrent(s, plan.manifest);
  return { ok: true };
}

/**
 * The whole stack to a release folder that is on the host, health-gated; the running release comes
 * back on failure. Only the compose files in which a service differs are brought up.
 */
export async function applyStackSwitch(s: Day2Session, running: ReleaseView, target: ReleaseView): Promise<SwitchOutcome> {
  checkStopped(s);
  const changed = changedComposeFiles(running, target);
  const uses = (file: 'infra' | 'apps'): boolean => changed[file] && Object.values(target.manifest.services).some((x) => x.compose === file);
  const up = await s.run(STACK_SWITCH_SCRIPT, s.layout.project, target.manifest.release, uses('infra') ? s.composeProjects.infra : '', uses('apps') ? s.composeProjects.apps : '', String(DEFAULT_HEALTH_TIMEOUT_SECONDS), healthBounds(Object.keys(target.manifest.services)));
  if (up.code !== 0) {
    const reason = s.redact(up.stderr).split('\n').filter((l) => l.trim() !== '');
    return { ok: false, reason: reason.slice(-30), restored: reason.some((l) => /restored the running release .*healthy/.test(l)) };
  }
  await switchCurrent(s, target.manifest);
  return { ok: true };
}
