import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { EXIT_OK } from '../lib/exit-codes.js';
import { restartStep } from '../steps/day2/day2-steps.js';
import { openDay2, runDay2 } from '../run/day2-session.js';
import { confirmChange, day2Ending, reportFailure, runningRelease } from './redeploy.js';

/**
 * `restart SERVICE`: its container restarted as it is (same release, no recreate), health-gated,
 * on the one engine: locked, journaled, audited, verified by the step's own check.
 */
export const restartCommand: CommandRunner = async (global, io, args, raw) => {
  const service = String(args[0]);
  const confirm = typeof raw['confirm'] === 'string' ? raw['confirm'] : undefined;
  const d = await openDay2(global, io, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), service, acceptNewHostKeys: raw['acceptNewHostKeys'] === true });
  const out = global.json ? io.stderr : io.stdout;
  const result = await runDay2(d, global, io, {
    command: `restart ${service}`,
    steps: async (snapshot, facts) => {
      const running = runningRelease(d.host.name, snapshot);
      const entry = running.manifest.services[service];
      if (!entry) throw new WizardError('service-unknown', `${service} is not part of the running release ${running.id} on ${d.host.name}`, 'deploy it first: `homelab-wizard apply --only deploy`');
      if (facts.clock === undefined) throw new WizardError('remote-protocol', `${d.host.name}: the probe did not report the host's clock`, 'run again with --verbose and report the output');
      return [restartStep(service, entry.compose, facts.clock, d.target)];
    },
    show: async () => undefined,
    confirm: () => confirmChange(d, global, io, confirm, `Restart ${service}`),
    starting: `Restarting ${service}, waiting for it to be healthy…`,
  });
  const ending = day2Ending(result);
  if (global.json) io.stdout(`${JSON.stringify({ host: d.host.name, service, result: ending.kind, ...('reason' in ending ? { reason: ending.reason } : {}) })}\n`);
  if (ending.kind === 'ok' || ending.kind === 'unchanged') {
    out(`${service} on ${d.host.name} restarted and healthy.\n`);
    return EXIT_OK;
  }
  return reportFailure(io, ending, result.log, '', `${service} did not come back healthy after the restart: check it with \`homelab-wizard logs ${service}\`.`);
};
