import type { CommandRunner } from '../contracts/command-runner.js';
import { UserAbortError, WizardError } from '../errors.js';
import { EXIT_CHANGES, EXIT_OK } from '../lib/exit-codes.js';
import type { Step } from '../plan/step.js';
import type { ReleaseManifest } from '../render/release-manifest.js';
import { serviceReleaseStep, stackSwitchStep } from '../steps/day2/day2-steps.js';
import { imageTag } from '../plan/container-health.js';
import type { HostSnapshot } from '../steps/day2/host-snapshot.js';
import { listReleases, selectRelease, type ReleaseRow } from '../steps/day2/release-history.js';
import { planServiceRelease, type ServicePlan } from '../steps/day2/service-release.js';
import { openDay2, readDay2, runDay2 } from '../run/day2-session.js';
import { confirmChange, day2Ending, reportFailure, runningRelease, type PickOne } from './redeploy.js';

function versions(row: ReleaseRow, service: string | undefined): string {
  const entries = Object.entries(row.versions).filter(([id]) => service === undefined || id === service);
  return entries.map(([id, image]) => `${id} ${imageTag(image)}`).join(', ') || '(no release.json)';
}

interface Planned {
  readonly from: string;
  readonly target: { readonly id: string; readonly manifest: ReleaseManifest };
  readonly running: ReleaseManifest;
  /** The release `current` will point to: the target, or (one service) a new one made of both. */
  readonly next: string;
  readonly plan?: ServicePlan;
}

export const rollbackCommand = (pick: PickOne): CommandRunner => async (global, io, args, raw) => {
  const service = typeof args[0] === 'string' ? args[0] : undefined;
  const to = typeof raw['to'] === 'string' ? raw['to'] : undefined;
  const confirm = typeof raw['confirm'] === 'string' ? raw['confirm'] : undefined;
  const d = await openDay2(global, io, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), ...(service ? { service } : {}), acceptNewHostKeys: raw['acceptNewHostKeys'] === true });
  const out = global.json ? io.stderr : io.stdout;
  // --json without --to, or --list: the releases, read without a lock; nothing changed.
  if (raw['list'] === true || (global.json && to === undefined)) {
    try {
      const { snapshot } = await readDay2(d);
      const rows = listReleases(snapshot);
      if (global.json) io.stdout(`${JSON.stringify({ host: d.host.name, current: snapshot.current ?? null, releases: rows })}\n`);
      else for (const r of rows) io.stdout(`${r.current ? '*' : ' '} ${r.id}  ${r.lastActive ? `${r.lastActive.at}  ${r.lastActive.who ?? '?'}` : 'never active (here)'}  ${versions(r, service)}\n`);
      return EXIT_OK;
    } finally {
      await d.close();
    }
  }

  const what = service ?? 'the stack';
  let planned: Planned | undefined;
  const steps = async (snapshot: HostSnapshot): Promise<readonly Step[]> => {
    const running = runningRelease(d.host.name, snapshot);
    let chosen = to;
    if (chosen === undefined && !global.nonInteractive) {
      const candidates = listReleases(snapshot).filter((r) => r.restorable && !r.current);
      if (candidates.length === 0) throw new WizardError('release-unknown', 'there is no earlier release on this host to go back to', 'releases are kept by deploy.keepReleases');
      chosen = await pick({
        title: `Roll ${what} on ${d.host.name} back to which release?`,
        columns: ['release', 'last active', 'by', 'versions'],
        rows: candidates.map((r) => ({ value: r.id, cells: [r.id, r.lastActive?.at ?? 'never', r.lastActive?.who ?? '?', versions(r, service)] })),
        value: selectRelease(snapshot, undefined).id,
      });
      if (chosen === undefined) throw new UserAbortError();
    }
    const found = selectRelease(snapshot, chosen);
    const target = { id: found.id, manifest: found.manifest as ReleaseManifest, compose: found.compose };
    if (service === undefined) {
      planned = { from: running.id, target, running: running.manifest, next: target.id };
      return [stackSwitchStep(running, target, d.target)];
    }
    const made = planServiceRelease(service, running, { kind: 'release', ...target }, new Set(snapshot.releases.map((r) => r.id)));
    // Nothing to write: the running release folder is used as it is (never seeded over itself).
    const plan = made.unchanged ? { ...made, reuse: true } : made;
    planned = { from: running.id, target, running: running.manifest, next: plan.manifest.release, plan };
    return [serviceReleaseStep('rollback', plan, d.target)];
  };

  const result = await runDay2(
    d,
    global,
    io,
    {
      command: ['rollback', ...(service ? [service] : []), ...(to ? ['--to', to] : [])].join(' '),
      steps,
      show: async ({ plan }) => {
        const p = planned as Planned;
        if (plan.steps.every((s) => s.action === '=')) {
          out(service ? `${service} on ${d.host.name} already runs what release ${p.target.id} has: nothing to roll back.\n` : `release ${p.target.id} is already running on ${d.host.name}: nothing to roll back.\n`);
          return;
        }
        out(`Rolling ${what} on ${d.host.name} back to release ${p.target.id}: current ${p.from} → ${p.next}\n`);
        const changes = Object.keys({ ...p.running.services, ...p.target.manifest.services })
          .filter((id) => service === undefined || id === service)
          .filter((id) => p.running.services[id]?.image !== p.target.manifest.services[id]?.image)
          .map((id) => `  ${id}: ${p.running.services[id]?.image ?? '(none)'} → ${p.target.manifest.services[id]?.image ?? '(removed)'}`);
        if (changes.length > 0) out(`${changes.join('\n')}\n`);
        if (p.plan) for (const c of p.plan.fileChanges) out(`  ${c.change} ${c.path}\n`);
        out('Data folders are not touched.\n');
      },
      confirm: () => confirmChange(d, global, io, confirm, `Roll back ${what}`),
    },
    { dryRun: raw['dryRun'] === true },
  );
  const p = planned as Planned;
  if (result.dryRun) {
    const changes = result.dryRun.steps.some((s) => s.action !== '=');
    if (global.json) io.stdout(`${JSON.stringify({ host: d.host.name, ...(service ? { service } : {}), from: p.from, to: p.next, target: p.target.id, result: changes ? 'would-change' : 'no-changes', dryRun: true })}\n`);
    return changes ? EXIT_CHANGES : EXIT_OK;
  }
  const ending = day2Ending(result);
  const json = (outcome: string, extra: object = {}): void => {
    if (global.json) io.stdout(`${JSON.stringify({ host: d.host.name, ...(service ? { service } : {}), from: p.from, to: ending.kind === 'unchanged' ? p.from : p.next, target: p.target.id, result: outcome, ...extra })}\n`);
  };
  if (ending.kind === 'unchanged') {
    json('no-changes');
    return EXIT_OK;
  }
  if (ending.kind === 'ok') {
    out(`${what} is healthy; current → releases/${p.next}.\n`);
    json('ok');
    return EXIT_OK;
  }
  const code = reportFailure(io, ending, result.log, `the rollback failed its health gate; release ${p.from} runs again, healthy.`, 'the rollback failed its health gate and the running release could NOT be brought back healthy: check the host now.');
  json(ending.kind === 'restored' ? 'rolled-back' : ending.kind === 'aborted' ? 'aborted' : 'failed', 'reason' in ending ? { reason: ending.reason } : {});
  return code;
};
