import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { EXIT_ERROR, EXIT_OK } from '../lib/exit-codes.js';
import { renderSmokeFailures, renderSmokeSummary, renderSmokeTable, smokeExitCode, smokeJson } from '../smoke/results.js';
import { notProvisioned, openPool, prepareEngine } from '../session/engine-setup.js';
import { runSmoke } from '../run/smoke-run.js';
import { vaultSecretSource } from '../session/vault-secret-source.js';

/**
 * `smoke`: the smoke checks alone, read-only (no lock, no audit line). One SSH connection and one
 * round trip per host, then the sites from here through Caddy. Exit 0 all passed (warnings allowed
 * unless --strict), 1 any failure.
 */
export const smokeCommand: CommandRunner = async (global, io, _args, raw) => {
  const strict = raw['strict'] === true;
  const setup = await prepareEngine(global, { ...(typeof raw['host'] === 'string' ? { host: raw['host'] } : {}), only: 'smoke', io });
  const reachable = setup.work.some((w) => w.host.address !== undefined);
  const opened = reachable ? await openPool(setup, global, { acceptNewHostKeys: raw['acceptNewHostKeys'] === true, io }) : undefined;
  if (!global.json) io.stderr(`Running the smoke checks of ${setup.work.map((w) => w.host.name).join(', ')}…\n`);
  let hosts;
  try {
    hosts = await runSmoke({
      profile: setup.profile,
      hosts: setup.work.map((w) => w.host),
      runner: async (name) => {
        const host = setup.work.find((w) => w.host.name === name)?.host;
        if (!opened || !host || host.address === undefined) throw host ? notProvisioned(host) : new WizardError('internal', `no host ${name} in this run`, 'this is a bug in homelab-wizard; report it');
        return opened.pool.runner(name);
      },
      secrets: vaultSecretSource(global, io, setup.vault.vaultName),
    });
  } finally {
    await opened?.pool.closeAll();
  }
  if (global.json) io.stdout(`${JSON.stringify(smokeJson(hosts, strict), null, 2)}\n`);
  else {
    io.stdout(renderSmokeTable(hosts));
    const failures = renderSmokeFailures(hosts, strict);
    if (failures !== '') io.stderr(failures);
    io.stdout(`${renderSmokeSummary(hosts, strict)}\n`);
  }
  return smokeExitCode(hosts, strict) === 0 ? EXIT_OK : EXIT_ERROR;
};
