import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { profilePaths } from '../profile/paths.js';
import { recipientProblem } from '../vault/age.js';
import { loadIdentity } from '../vault/identity.js';
import { changeRecipients } from '../vault/recipients.js';
import { withoutRecipient, withRecipient } from '../vault/recipients-file.js';
import { shownPath } from '../vault/shown-path.js';
import { readRecipients } from '../vault/vault.js';
import { plural, vaultAccess } from '../session/vault-access.js';
import { stanzaCount } from '../vault/recipients.js';

/** Your public key, when it can be known without a prompt (plain identity, or passphrase in the environment). */
async function ownKeyQuietly(env: NodeJS.ProcessEnv): Promise<readonly string[]> {
  try {
    return (await loadIdentity({ env })).publicKeys;
  } catch {
    return [];
  }
}


export const secretsRecipientsList: CommandRunner = async (global, io) => {
  const access = await vaultAccess(global, io);
  const paths = profilePaths(access.dir, access.vaultName);
  const listed = await readRecipients(access.dir, access.vaultName);
  if (listed === undefined) throw new WizardError('recipient-invalid', `${shownPath(paths.recipients)} does not exist`, `create the vault first: \`homelab-wizard secrets set KEY --profile ${access.vaultName}\` writes it with your key`);
  const mine = await ownKeyQuietly(io.env);
  const stanzas = await stanzaCount(paths.vault);
  if (global.json) {
    io.stdout(`${JSON.stringify({ file: shownPath(paths.recipients), recipients: listed.recipients.map((key) => ({ key, you: mine.includes(key) })), vaultRecipients: stanzas ?? null })}\n`);
    return 0;
  }
  for (const key of listed.recipients) io.stdout(`${key}${mine.includes(key) ? '  (you)' : ''}\n`);
  if (stanzas !== undefined && stanzas !== listed.recipients.length) {
    io.stderr(`warning: ${shownPath(paths.vault)} is encrypted to ${plural(stanzas, 'recipient')}, the list has ${listed.recipients.length}; run \`homelab-wizard secrets recipients add ${listed.recipients[0]}\` to re-encrypt it to the list\n`);
  }
  return 0;
};

function recipientArg(value: unknown): string {
  const key = typeof value === 'string' ? value.trim() : '';
  const problem = recipientProblem(key);
  if (problem !== undefined) throw new WizardError('recipient-invalid', `${key.startsWith('AGE-SECRET-KEY') ? 'that' : `'${key.slice(0, 20)}${key.length > 20 ? '…' : ''}'`} ${problem}`, 'pass the age1… public key the person got from `homelab-wizard keys init` or `age-keygen`');
  return key;
}

function report(global: { json: boolean }, io: { stdout: (t: string) => void }, action: string, key: string, outcome: Awaited<ReturnType<typeof changeRecipients>>, profileName: string): void {
  if (global.json) {
    io.stdout(`${JSON.stringify({ action, key, recipients: outcome.after, reencrypted: outcome.reencrypted, profileReencrypted: outcome.profileReencrypted })}\n`);
    return;
  }
  const files = [outcome.reencrypted ? `vault/${profileName}.age` : '', outcome.profileReencrypted ? `profiles/${profileName}.yaml.age` : ''].filter(Boolean);
  io.stdout(`${action} ${key}; ${plural(outcome.after.length, 'recipient')} now${files.length > 0 ? `; re-encrypted ${files.join(' and ')}` : ''}\n`);
}

export const secretsRecipientsAdd: CommandRunner = async (global, io, args, options) => {
  const key = recipientArg(args[0]);
  const access = await vaultAccess(global, io, { writes: 'secrets recipients add' });
  const comment = typeof options['comment'] === 'string' ? options['comment'] : undefined;
  const outcome = await changeRecipients(access.dir, access.profileName, (text, current) => (current.includes(key) ? text : withRecipient(text, key, comment)), { identity: access.identity, command: 'secrets recipients add' });
  if (!outcome.reencrypted && !outcome.profileReencrypted && outcome.before.includes(key)) {
    if (global.json) io.stdout(`${JSON.stringify({ action: 'unchanged', key, recipients: outcome.after, reencrypted: false, profileReencrypted: false })}\n`);
    else io.stdout(`${key} is already a recipient; nothing was changed\n`);
    return 0;
  }
  report(global, io, 'added', key, outcome, access.profileName);
  return 0;
};

export const secretsRecipientsRemove: CommandRunner = async (global, io, args) => {
  const key = recipientArg(args[0]);
  const access = await vaultAccess(global, io, { writes: 'secrets recipients remove' });
  const identity = await access.identity();
  if (identity.publicKeys.includes(key)) {
    throw new WizardError('recipient-invalid', 'that is your own key: removing it would lock you out of the vault', 'ask another recipient to remove it');
  }
  const outcome = await changeRecipients(
    access.dir,
    access.profileName,
    (text, current) => {
      if (!current.includes(key)) throw new WizardError('recipient-invalid', `${key} is not a recipient of vault/${access.profileName}.age`, '`homelab-wizard secrets recipients list` shows who is');
      return withoutRecipient(text, key);
    },
    { identity: access.identity, command: 'secrets recipients remove' },
  );
  report(global, io, 'removed', key, outcome, access.profileName);
  if (!global.json) io.stderr('note: that key could read every secret until now (and old copies in version control); rotate them: `homelab-wizard secrets rotate`\n');
  return 0;
};
