import type { CommandRunner } from '../contracts/command-runner.js';
import { UserAbortError, WizardError } from '../errors.js';
import { EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { imageTag } from '../steps/day2/host-snapshot.js';
import { listReleases, selectRelease, type ReleaseRow } from '../steps/day2/release-history.js';
import { planServiceRelease } from '../steps/day2/service-release.js';
import { applyServicePlan, applyStackSwitch } from './day2-apply.js';
import { openDay2 } from './day2-session.js';
import { confirmInteractively, runningRelease, type PickOne } from './redeploy.js';
import { confirmDecision } from '../steps/day2/confirmation.js';

function versions(row: ReleaseRow, service: string | undefined): string {
  const entries = Object.entries(row.versions).filter(([id]) => service === undefined || id === service);
  return entries.map(([id, image]) => `${id} ${imageTag(image)}`).join(', ') || '(no release.json)';
}

export const rollbackCommand = (pick: PickOne): CommandRunner => async (global, io, args, raw) => {
  const service = typeof args[0] === 'string' ? args[0] : undefined;
  const to = typeof raw['to'] === 'string' ? raw['to'] : undefined;
  const confirm = typeof raw['confirm'] === 'string' ? raw['confirm'] : undefined;
  const list = raw['list'] === true;
  const s = await openDay2(global, io, {
    ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}),
    ...(service ? { service } : {}),
    command: ['rollback', ...(service ? [service] : []), ...(to ? ['--to', to] : [])].join(' '),
    acceptNewHostKeys: raw['acceptNewHostKeys'] === true,
  });
  try {
    const rows = listReleases(s.snapshot);
    const out = global.json ? io.stderr : io.stdout;
    // --json without --to, or --list: the releases, nothing changed.
    if (list || (global.json && to === undefined)) {
      if (global.json) io.stdout(`${JSON.stringify({ host: s.host.name, current: s.snapshot.current ?? null, releases: rows })}\n`);
      else for (const r of rows) io.stdout(`${r.current ? '*' : ' '} ${r.id}  ${r.lastActive ? `${r.lastActive.at}  ${r.lastActive.who ?? '?'}` : 'never active (here)'}  ${versions(r, service)}\n`);
      await s.finish('no-changes', 0);
      return EXIT_OK;
    }
    const running = runningRelease(s);
    let chosen = to;
    if (chosen === undefined && !global.nonInteractive) {
      const candidates = rows.filter((r) => r.restorable && !r.current);
      if (candidates.length === 0) throw new WizardError('release-unknown', 'there is no earlier release on this host to go back to', 'releases are kept by deploy.keepReleases');
      chosen = await pick({
        title: `Roll ${service ?? 'the stack'} on ${s.host.name} back to which release?`,
        columns: ['release', 'last active', 'by', 'versions'],
        rows: candidates.map((r) => ({ value: r.id, cells: [r.id, r.lastActive?.at ?? 'never', r.lastActive?.who ?? '?', versions(r, service)] })),
        value: selectRelease(s.snapshot, undefined).id,
      });
      if (chosen === undefined) throw new UserAbortError();
    }
    const target = selectRelease(s.snapshot, chosen);
    const manifest = target.manifest!;
    if (target.id === running.id && service === undefined) {
      out(`release ${target.id} is already running on ${s.host.name}: nothing to roll back.\n`);
      await s.finish('no-changes', 0);
      return EXIT_OK;
    }
    const plan = service === undefined ? undefined : planServiceRelease(service, running, { kind: 'release', id: target.id, manifest, compose: target.compose }, new Set(s.snapshot.releases.map((r) => r.id)));
    const from = running.id;
    const next = plan ? plan.manifest.release : target.id;
    if (plan?.unchanged) {
      out(`${service} on ${s.host.name} already runs what release ${target.id} has: nothing to roll back.\n`);
      if (global.json) io.stdout(`${JSON.stringify({ host: s.host.name, service, from, to: from, target: target.id, result: 'no-changes' })}\n`);
      await s.finish('no-changes', 0);
      return EXIT_OK;
    }
    const what = service ?? 'the stack';
    out(`Rolling ${what} on ${s.host.name} back to release ${target.id}: current ${from} → ${next}\n`);
    const changes = Object.keys({ ...running.manifest.services, ...manifest.services })
      .filter((id) => service === undefined || id === service)
      .filter((id) => running.manifest.services[id]?.image !== manifest.services[id]?.image)
      .map((id) => `  ${id}: ${running.manifest.services[id]?.image ?? '(none)'} → ${manifest.services[id]?.image ?? '(removed)'}`);
    if (changes.length > 0) out(`${changes.join('\n')}\n`);
    if (plan) for (const c of plan.fileChanges) out(`  ${c.change} ${c.path}\n`);
    out('Data folders are not touched.\n');

    const decision = confirmDecision({ profileName: s.profileName, production: s.profile.project.production, yes: global.yes, interactive: !global.nonInteractive, ...(confirm !== undefined ? { confirm } : {}) });
    if (decision.kind !== 'go' && !(await confirmInteractively(decision.kind, s.profileName, `Roll back ${what}`))) {
      throw new WizardError('not-confirmed', 'not confirmed: nothing was changed', 'run it again and confirm, or use --yes');
    }
    const outcome = plan ? await applyServicePlan(s, plan) : await applyStackSwitch(s, running, { manifest, compose: target.compose });
    const json = (result: string, extra: object = {}): void => {
      if (global.json) io.stdout(`${JSON.stringify({ host: s.host.name, ...(service ? { service } : {}), from, to: next, target: target.id, result, ...extra })}\n`);
    };
    if (outcome.ok) {
      out(`${what} is healthy; current → releases/${next}.\n`);
      json('ok');
      await s.finish('ok', 1);
      return EXIT_OK;
    }
    io.stderr(`${outcome.reason.map((l) => `  ${l.trim()}`).join('\n')}\n`);
    io.stderr(outcome.restored ? `error: the rollback failed its health gate; release ${from} runs again, healthy.\n` : 'error: the rollback failed its health gate and the running release could NOT be brought back healthy: check the host now.\n');
    json(outcome.restored ? 'rolled-back' : 'failed', { reason: outcome.reason });
    await s.finish('failed', 0, `rollback.${service ?? 'stack'}`);
    return EXIT_ERROR;
  } finally {
    await s.close();
  }
};
