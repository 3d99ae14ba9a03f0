import type { CommandRunner } from '../contracts/command-runner.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { createIdentityFile, IDENTITY_ENV, identityLocation, PASSPHRASE_ENV, refuseExistingIdentity, scryptLogN } from '../vault/identity.js';

/** Short passphrases fall to offline guessing whatever the work factor. */
export const MIN_PASSPHRASE_LENGTH = 10;

async function newPassphrase(nonInteractive: boolean, io: Io): Promise<Secret> {
  const fromEnv = io.env[PASSPHRASE_ENV];
  let passphrase: Secret;
  if (fromEnv !== undefined && fromEnv !== '') passphrase = Secret.of(fromEnv);
  else if (nonInteractive) throw new WizardError('usage', 'keys init --passphrase needs a passphrase and cannot prompt here', `set ${PASSPHRASE_ENV}, or run it in a terminal`);
  else {
    passphrase = await io.prompts.secret('passphrase for the new identity');
    const again = await io.prompts.secret('the same passphrase again');
    if (again.reveal() !== passphrase.reveal()) throw new WizardError('usage', 'the two passphrases differ; nothing was written', 'run `homelab-wizard keys init --passphrase` again');
  }
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new WizardError('usage', `the passphrase is shorter than ${MIN_PASSPHRASE_LENGTH} characters; nothing was written`, 'use a longer one (four or five random words work well)');
  }
  return passphrase;
}

export const keysInit: CommandRunner = async (global, io, _args, options) => {
  const where = identityLocation(io.env);
  if (where.kind === 'value') {
    throw new WizardError('usage', `${IDENTITY_ENV} holds an identity itself, so there is no file to create`, `unset ${IDENTITY_ENV}, or set it to the path where the new identity should go`);
  }
  // Refuse before asking for a passphrase that would be thrown away.
  await refuseExistingIdentity(where.file);
  const protect = options['passphrase'] === true;
  const logN = protect ? scryptLogN(io.env, (line) => io.stderr(`${line}\n`)) : undefined;
  const passphrase = protect ? await newPassphrase(global.nonInteractive, io) : undefined;
  // scrypt is slow on purpose and its time depends on the machine (seconds on a small VPS): say what
  // it is rather than promise a duration, and report the time it took, which every unlock costs too.
  if (protect) io.stderr(`encrypting the identity with your passphrase: scrypt at work factor 2^${logN}, deliberately slow so that guessing it is expensive (seconds on a small machine)...\n`);
  const started = performance.now();
  const { publicKey } = await createIdentityFile(where.file, { now: new Date(), ...(passphrase ? { passphrase } : {}), ...(logN !== undefined ? { logN } : {}) });
  if (protect) io.stderr(`encrypted in ${((performance.now() - started) / 1000).toFixed(1)} s; unlocking it takes about as long each time\n`);
  if (global.json) {
    io.stdout(`${JSON.stringify({ file: where.file, publicKey, passphrase: protect })}\n`);
    return 0;
  }
  io.stdout(`created ${where.file} (mode 0600${protect ? ', protected by your passphrase' : ''})\n`);
  io.stdout(`public key: ${publicKey}\n`);
  io.stderr(`back this file up${protect ? ' and remember the passphrase' : ''}: without it, the vaults encrypted to this key cannot be read.\n`);
  return 0;
};
