import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { decryptWithIdentities } from '../vault/age.js';
import { ageShape } from '../vault/age-header.js';
import { identityFor } from '../session/vault-access.js';

/**
 * `git diff` on encrypted files: `*.age diff=age` in .gitattributes and
 * `git config diff.age.textconv "homelab-wizard secrets textconv"`. Git calls this with one file
 * (often a temporary copy of an old version) and diffs what it prints: the decrypted text, values
 * included, on the operator's own terminal. It needs no profile, only the identity.
 */
export const secretsTextconv: CommandRunner = async (global, io, args) => {
  const given = typeof args[0] === 'string' ? args[0] : '';
  if (given === '') throw new WizardError('usage', 'secrets textconv needs a FILE', 'it is meant for git: git config diff.age.textconv "homelab-wizard secrets textconv"');
  const file = path.resolve(io.cwd, given);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new WizardError('vault-missing', `cannot read ${given}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'pass an existing .age file');
  }
  // Git passes an empty file for the missing side of an added or deleted file.
  if (ageShape(bytes) === 'empty') return 0;
  const identity = await identityFor(global, io)();
  io.stdout(await decryptWithIdentities(bytes, identity.keys, identity.publicKey, { file: given, restoreHint: 'restore it from version control' }));
  return 0;
};
