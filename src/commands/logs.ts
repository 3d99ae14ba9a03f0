import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { logsCommand as logsOf } from '../steps/day2/day2-steps.js';
import { openDay2 } from '../run/day2-session.js';

/**
 * `logs SERVICE`: its container's log, read-only (no lock, nothing written on the host), each line
 * with every vault value and sudo password redacted before it is printed.
 */
export const logsCommand: CommandRunner = async (global, io, args, raw) => {
  const service = String(args[0]);
  const tailText = typeof raw['tail'] === 'string' ? raw['tail'] : '200';
  const tail = Number(tailText);
  if (!/^\d+$/.test(tailText) || tail > 100_000) throw new WizardError('usage', `--tail: '${tailText}' is not a number of lines`, 'give a whole number up to 100000, e.g. --tail 500');
  const since = typeof raw['since'] === 'string' ? raw['since'] : undefined;
  if (since !== undefined && !/^[0-9A-Za-z:.+-]{1,40}$/.test(since)) throw new WizardError('usage', `--since: '${since}' is not a duration or a time`, 'e.g. --since 10m, --since 2h, --since 2026-12-01T10:00:00');
  const d = await openDay2(global, io, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), service, acceptNewHostKeys: raw['acceptNewHostKeys'] === true });
  try {
    const runner = await d.runner();
    const print = (line: string): void => io.stdout(`${d.redact(line)}\n`);
    const r = await runner.exec(logsOf(d.target, service, { ...(since ? { since } : {}), tail, follow: raw['follow'] === true }), { onStdout: print, onStderr: print });
    if (r.code === 125) throw new WizardError('service-unknown', `${service} has no container on ${d.host.name}`, 'deploy it first: `homelab-wizard apply --only deploy`');
    return r.code === 0 ? 0 : 1;
  } finally {
    await d.close();
  }
};
