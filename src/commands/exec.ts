import os from 'node:os';
import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import type { Terminal } from '../engine/runner.js';
import type { AuditEntry } from '../plan/host-state.js';
import { execCommand } from '../steps/day2/day2-steps.js';
import { openDay2 } from '../run/day2-session.js';
import { newRunId } from '../run/run-files.js';

/** The caller's terminal in raw mode, and how to give it back. Made by cli/ (flows touch no terminal). */
export type OpenTerminal = () => Terminal & { readonly restore: () => void };

/**
 * `exec SERVICE -- CMD…`: the command in the service's container. With a terminal on both ends it
 * gets one (a shell, psql); without, its output is printed line by line. What it prints is
 * redacted (vault values, sudo passwords). It takes no lock (a shell may stay open for hours and
 * must not block a deploy), but it is recorded in the host's audit.log, like every run.
 */
export const execCommandRunner = (openTerminal: OpenTerminal | undefined): CommandRunner => async (global, io, args, raw) => {
  const service = String(args[0]);
  const argv = Array.isArray(args[1]) ? args[1].map(String) : [];
  if (argv.length === 0) throw new WizardError('usage', 'exec needs a command to run in the container', `e.g. \`homelab-wizard exec ${service} -- sh\``);
  const d = await openDay2(global, io, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), service, acceptNewHostKeys: raw['acceptNewHostKeys'] === true });
  const started = new Date();
  let code = 1;
  try {
    const runner = await d.runner();
    const withTerminal = openTerminal !== undefined && !global.json && runner.interactive !== undefined;
    if (withTerminal && runner.interactive) {
      const terminal = openTerminal();
      try {
        code = await runner.interactive(execCommand(d.target, service, argv, true), { ...terminal, write: (chunk) => terminal.write(d.redact(chunk)) });
      } finally {
        terminal.restore();
      }
    } else {
      const r = await runner.exec(execCommand(d.target, service, argv, false), { onStdout: (l) => io.stdout(`${d.redact(l)}\n`), onStderr: (l) => io.stderr(`${d.redact(l)}\n`) });
      code = r.code;
    }
    if (code === 125) throw new WizardError('service-unknown', `${service} has no running container on ${d.host.name} (or Docker could not start the command)`, `check it with \`homelab-wizard status\`; deploy it with \`homelab-wizard apply --only deploy\``);
    return code;
  } finally {
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      runId: newRunId(started),
      who: `${os.userInfo().username}@${os.hostname()}`,
      command: d.redact(`exec ${service} -- ${argv.join(' ')}`),
      profile: d.profileName,
      planDigest: '',
      result: code === 0 ? 'ok' : 'failed',
      changed: 0,
    };
    try {
      await (await d.runner()).finish(d.target.layout.project, entry, entry.runId);
    } catch (error) {
      io.stderr(d.redact(`warning: the audit line of this exec was not written on ${d.host.name}: ${error instanceof Error ? error.message : String(error)}\n`));
    }
    await d.close();
  }
};
