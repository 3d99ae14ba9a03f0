import { randomBytes } from 'node:crypto';
import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { generateSecret, knownSecret } from '../vault/generate.js';
import { keyProblem } from '../vault/keys.js';
import { isImmutable, servicesToRedeploy } from '../vault/rotation.js';
import { shownPath } from '../vault/shown-path.js';
import { recordRedeploy, updateVault } from '../vault/vault.js';
import { MAX_VALUE_LENGTH } from '../vault/vault-yaml.js';
import { enabledServicesOf, vaultAccess } from '../session/vault-access.js';

export function validKey(key: unknown): string {
  const value = typeof key === 'string' ? key : '';
  const problem = keyProblem(value);
  if (problem !== undefined) throw new WizardError('secret-invalid', `key '${value.slice(0, 64)}' ${problem}`, 'use a dotted key such as api.token or n8n.ownerPassword');
  return value;
}

/** `printf` and `echo` both end in a newline or not; one trailing newline is never part of the value. */
function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export const secretsSet: CommandRunner = async (global, io, args, options) => {
  const key = validKey(args[0]);
  const access = await vaultAccess(global, io, { writes: 'secrets set' });
  const known = knownSecret(key);
  let value: Secret;
  if (options['generate'] === true) {
    if (known?.spec.generate === undefined) throw new WizardError('secret-invalid', `${key} has no generation policy in the catalogue`, 'give its value on stdin or at the prompt instead');
    value = generateSecret(known.spec.generate, (n) => randomBytes(n));
  } else {
    const piped = io.readStdin ? await io.readStdin().catch((error: Error) => {
      throw new WizardError('secret-invalid', `cannot read the value from stdin: ${error.message}`, 'pipe the value alone');
    }) : undefined;
    if (piped !== undefined) value = Secret.of(stripOneNewline(piped));
    else if (!global.nonInteractive) value = await io.prompts.secret(`value of ${key}`);
    else throw new WizardError('usage', `no value for ${key}: nothing on stdin and no terminal to ask`, `pipe it in (homelab-wizard secrets set ${key} < file), or run in a terminal; never put a secret in the command line`);
    if (value.length === 0) throw new WizardError('secret-invalid', `the value of ${key} is empty; nothing was changed`, 'give a value; to remove a secret, delete its line in `homelab-wizard secrets edit`');
    if (value.length > MAX_VALUE_LENGTH) throw new WizardError('secret-invalid', `the value of ${key} is longer than ${MAX_VALUE_LENGTH} characters; nothing was changed`, 'check what was piped in');
    const shape = known?.spec.shape;
    if (shape !== undefined && options['skipShapeCheck'] !== true && !new RegExp(shape.pattern).test(value.reveal())) {
      throw new WizardError('secret-invalid', `the value does not look like ${known?.spec.description} (${shape.example}); nothing was changed`, 'check it (a cut copy?); pass --skip-shape-check to store it anyway');
    }
  }
  const enabled = await enabledServicesOf(global, io, access);
  const outcome = await updateVault(
    access.dir,
    access.profileName,
    (entries) => {
      const old = entries.get(key);
      if (old !== undefined && options['generate'] === true) {
        throw new WizardError('secret-invalid', `${key} already has a value; generating never replaces one`, `to replace it on purpose, run \`homelab-wizard secrets rotate ${key}\``);
      }
      if (old !== undefined && old.reveal() === value.reveal()) return;
      if (old !== undefined && isImmutable(key) && options['replaceImmutable'] !== true) {
        throw new WizardError('secret-immutable', `${key} must never change once deployed: ${known?.spec.description}`, 'if this vault was never deployed (you are importing the value of an existing install), pass --replace-immutable');
      }
      entries.set(key, value);
      recordRedeploy(entries, servicesToRedeploy([key], enabled));
    },
    { identity: access.identity, create: true, command: 'secrets set' },
  );
  const file = shownPath(`${access.dir}/vault/${access.profileName}.age`);
  const identity = await access.identity();
  const redeploy = outcome.changed ? servicesToRedeploy([key], enabled) : [];
  if (global.json) {
    io.stdout(`${JSON.stringify({ key, changed: outcome.changed, created: outcome.created, vault: file, redeploy })}\n`);
    return 0;
  }
  if (outcome.created) io.stdout(`created ${file}, encrypted to ${outcome.recipients.length === 1 && outcome.recipients[0] === identity.publicKey ? `your key ${identity.publicKey}` : `the ${outcome.recipients.length} keys in vault/${access.profileName}.recipients`}\n`);
  io.stdout(outcome.changed ? `stored ${key} in ${file}\n` : `${key} already has that value; ${file} is unchanged\n`);
  if (redeploy.length > 0) io.stdout(`redeploy needed: ${redeploy.join(', ')} (recorded in the vault; \`homelab-wizard secrets show\` lists it)\n`);
  return 0;
};
