import { Secret } from '../../lib/secret.js';
import { shScript } from '../../shell/script.js';
import type { Command } from '../../plan/command.js';
import type { Step } from '../../plan/step.js';
import { COMPOSE_FILES, stateText, type ReleaseManifest } from '../../render/release-manifest.js';
import { DEFAULT_HEALTH_TIMEOUT_SECONDS, healthBound, healthBounds } from '../deploy/health-gate.js';
import type { HostLayout } from '../host-layout.js';
import { DAY2_READ_CURRENT_FILES, DAY2_RELEASE_CHECK, DAY2_RESTART, DAY2_RESTARTED_CHECK, DAY2_SEED, DAY2_SERVICE_UP, DAY2_STACK_SWITCH, DAY2_WRITE_STATE, ON_CONTAINER, PRUNE_RELEASES, SWITCH_CURRENT } from '../../remote/generated-scripts.js';
import { changedComposeFiles, type ReleaseView, type ServicePlan } from './service-release.js';

const sh = (script: string, ...args: string[]): Command => ({ argv: shScript(script, 'homelab-wizard', args) });

/** Where a day-2 step works on a host: the project's folders and compose projects. */
export interface Day2Target {
  readonly host: string;
  readonly layout: HostLayout;
  readonly composeProjects: { readonly infra: string; readonly apps: string };
  readonly keepReleases: number;
}

type ComposeKey = 'infra' | 'apps';

function composeProject(t: Day2Target, key: ComposeKey): string {
  return key === 'infra' ? t.composeProjects.infra : t.composeProjects.apps;
}

/** `COMPOSE_PROJECT/SERVICE=INPUTS` items of RELEASE_CHECK, for these services of a release. */
function checkItems(t: Day2Target, manifest: ReleaseManifest, services: readonly string[]): string[] {
  return services.flatMap((id) => {
    const s = manifest.services[id];
    return s ? [`${composeProject(t, s.compose)}/${id}=${s.inputs}`] : [];
  });
}

/** `current` switched (recorded in history.jsonl), state.json written, old and never-live releases pruned. */
function switchCommands(t: Day2Target, manifest: ReleaseManifest): Command[] {
  return [
    sh(SWITCH_CURRENT, t.layout.project, manifest.release),
    { ...sh(DAY2_WRITE_STATE, t.layout.project), stdin: Secret.of(stateText(manifest)) },
    sh(PRUNE_RELEASES, t.layout.releases, String(t.keepReleases), `${t.composeProjects.infra} ${t.composeProjects.apps}`),
  ];
}

/**
 * One service to its new release (`redeploy SERVICE`, `rollback SERVICE`): the folder seeded from
 * the running release with only that service's files written or copied, ONLY that service brought
 * up from it, health-gated, and `current` switched only after it is healthy. On a failed gate the
 * service is brought back from the running release (exit codes in scripts.ts). Converged, before
 * and after: `current` is the new release and the service runs healthy from it.
 */
export function serviceReleaseStep(verb: 'redeploy' | 'rollback', plan: ServicePlan, t: Day2Target): Step {
  const id = plan.manifest.release;
  const apply: Command[] = [];
  if (!plan.reuse) {
    // The files travel on stdin, base64 one a line: env files hold secrets, never argv.
    const lines = plan.uploads.map((f) => `${f.path} ${f.mode} ${f.owner} ${Buffer.from(typeof f.content === 'string' ? f.content : f.content.reveal()).toString('base64')}\n`);
    apply.push({
      ...sh(DAY2_SEED, t.layout.project, plan.base, id, plan.copyFrom ?? '', ...plan.copies.map((p) => `c:${p}`), ...plan.removes.map((p) => `r:${p}`)),
      stdin: Secret.of(lines.join('')),
    });
  }
  apply.push(sh(DAY2_SERVICE_UP, t.layout.project, id, plan.base, composeProject(t, plan.compose), COMPOSE_FILES[plan.compose], plan.service, String(healthBound(plan.service))));
  apply.push(...switchCommands(t, plan.manifest));
  return {
    id: `deploy.${verb}.${plan.service}`,
    describe: `${plan.service}: release ${plan.base} → ${id}, only ${plan.service} recreated, health-gated`,
    host: t.host,
    check: sh(DAY2_RELEASE_CHECK, t.layout.project, id, ...checkItems(t, plan.manifest, [plan.service])),
    checkReports: true,
    apply,
    risk: 'disruptive',
  };
}

/**
 * The whole stack to a release folder that is on the host (`rollback` without a service): only
 * the compose files in which a service differs are brought up, health-gated; the running release
 * comes back on failure. Converged: `current` is the target and every service runs healthy from it.
 */
export function stackSwitchStep(running: ReleaseView & { readonly id: string }, target: ReleaseView, t: Day2Target): Step {
  const changed = changedComposeFiles(running, target);
  const uses = (key: ComposeKey): boolean => changed[key] && Object.values(target.manifest.services).some((x) => x.compose === key);
  const services = Object.keys(target.manifest.services);
  return {
    id: 'deploy.rollback.stack',
    describe: `the stack: release ${running.id} → ${target.manifest.release}, health-gated`,
    host: t.host,
    check: sh(DAY2_RELEASE_CHECK, t.layout.project, target.manifest.release, ...checkItems(t, target.manifest, services)),
    checkReports: true,
    apply: [
      sh(DAY2_STACK_SWITCH, t.layout.project, target.manifest.release, uses('infra') ? t.composeProjects.infra : '', uses('apps') ? t.composeProjects.apps : '', String(DEFAULT_HEALTH_TIMEOUT_SECONDS), healthBounds(services)),
      ...switchCommands(t, target.manifest),
    ],
    risk: 'disruptive',
  };
}

/**
 * `restart SERVICE`: its container restarted as it is, then health-gated. Converged when it
 * started at or after `since` (the host's clock when the command read it) and is healthy.
 */
export function restartStep(service: string, compose: ComposeKey, since: number, t: Day2Target): Step {
  const project = composeProject(t, compose);
  return {
    id: `deploy.restart.${service}`,
    describe: `${service}: restarted, health-gated`,
    host: t.host,
    check: sh(DAY2_RESTARTED_CHECK, project, service, String(since)),
    checkReports: true,
    apply: [sh(DAY2_RESTART, t.layout.project, project, COMPOSE_FILES[compose], service, String(healthBound(service)))],
    risk: 'disruptive',
  };
}

/** Reads the running release's files (to show what a redeploy changes in them). */
export function readCurrentFiles(t: Day2Target, paths: readonly string[]): Command {
  return sh(DAY2_READ_CURRENT_FILES, t.layout.project, ...paths);
}

/** `logs SERVICE`: its container's log with timestamps, optionally since a time and following. */
export function logsCommand(t: Day2Target, service: string, options: { readonly since?: string; readonly tail: number; readonly follow: boolean }): Command {
  const args = ['logs', '--timestamps', '--tail', String(options.tail), ...(options.since ? ['--since', options.since] : []), ...(options.follow ? ['--follow'] : []), '{}'];
  return sh(ON_CONTAINER, t.composeProjects.infra, t.composeProjects.apps, service, ...args);
}

/** `exec SERVICE -- CMD…`: the command in its container, with a terminal and its input (`-it`), or neither. */
export function execCommand(t: Day2Target, service: string, argv: readonly string[], terminal: boolean): Command {
  return sh(ON_CONTAINER, t.composeProjects.infra, t.composeProjects.apps, service, 'exec', ...(terminal ? ['-it'] : []), '{}', ...argv);
}
