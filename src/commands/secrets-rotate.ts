import { randomBytes } from 'node:crypto';
import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { generateSecret, knownSecret } from '../vault/generate.js';
import { rotatableKeys, rotationProblem, servicesToRedeploy } from '../vault/rotation.js';
import { shownPath } from '../vault/shown-path.js';
import { recordRedeploy, updateVault } from '../vault/vault.js';
import { validKey } from './secrets-set.js';
import { enabledServicesOf, plural, vaultAccess } from '../session/vault-access.js';

/**
 * New values for generated secrets, and the record of which services must be redeployed to use
 * them, in one atomic write of the vault. Supplied and immutable secrets are refused by name.
 */
export const secretsRotate: CommandRunner = async (global, io, args) => {
  const requested = args[0] === undefined ? undefined : validKey(args[0]);
  if (requested !== undefined) {
    const problem = rotationProblem(requested);
    if (problem !== undefined) throw new WizardError(problem.code, problem.message, problem.hint);
  }
  const access = await vaultAccess(global, io, { writes: 'secrets rotate' });
  const enabled = await enabledServicesOf(global, io, access);
  if (requested === undefined && !global.yes) {
    if (global.nonInteractive) throw new WizardError('usage', 'rotating every generated secret needs a confirmation', 'pass --yes, or name one key: `homelab-wizard secrets rotate KEY`');
    if (!(await io.prompts.confirm('rotate every generated secret of this vault (services must be redeployed afterwards)?'))) {
      io.stderr('nothing was changed\n');
      return 0;
    }
  }
  const outcome = await updateVault(
    access.dir,
    access.profileName,
    (entries) => {
      let keys: string[];
      if (requested !== undefined) {
        if (!entries.has(requested)) throw new WizardError('secret-unknown', `${requested} is not in the vault yet, so there is nothing to rotate`, `generate its first value with \`homelab-wizard secrets set ${requested} --generate\``);
        keys = [requested];
      } else keys = rotatableKeys(entries.keys());
      for (const key of keys) {
        const policy = knownSecret(key)?.spec.generate;
        if (policy === undefined) continue;
        const old = entries.get(key)?.reveal();
        let next = generateSecret(policy, (n) => randomBytes(n));
        // A repeat is astronomically unlikely; still, a rotation must change the value.
        while (next.reveal() === old) next = generateSecret(policy, (n) => randomBytes(n));
        entries.set(key, next);
      }
      const services = servicesToRedeploy(keys, enabled);
      recordRedeploy(entries, services);
      return { keys, services };
    },
    { identity: access.identity, command: 'secrets rotate' },
  );
  const { keys, services } = outcome.result;
  const file = shownPath(`${access.dir}/vault/${access.profileName}.age`);
  if (global.json) {
    io.stdout(`${JSON.stringify({ rotated: keys, redeploy: services, vault: file })}\n`);
    return 0;
  }
  if (keys.length === 0) {
    io.stdout(`${file} holds no generated secret that may be rotated; nothing was changed\n`);
    return 0;
  }
  io.stdout(`rotated ${plural(keys.length, 'secret')} in ${file}: ${keys.join(', ')}\n`);
  if (services.length > 0) io.stdout(`redeploy needed: ${services.join(', ')} (recorded in the vault until they are redeployed)\n`);
  return 0;
};
