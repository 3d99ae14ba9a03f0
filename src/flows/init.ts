import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { GlobalOptions } from '../cli/global-options.js';
import type { Io } from '../cli/io.js';
import type { CommandRunner } from '../cli/program.js';
import { ProfileError, UserAbortError, WizardError, type Issue } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { parseAnswers } from '../profile/answers.js';
import { profileJsonSchema, SCHEMA_FILE_NAME } from '../profile/json-schema.js';
import { parseYaml, readProfile } from '../profile/load.js';
import { mergeProfileText } from '../profile/merge.js';
import { profilePaths } from '../profile/paths.js';
import type { Profile } from '../profile/schema.js';
import { validateProfile } from '../profile/validate.js';
import { externalSecretsFor } from './init-catalog.js';

/** What init is about to write, decided before anything touches the disk. */
interface InitPlan {
  readonly name: string;
  readonly text: string;
  readonly profile: Profile;
  readonly encrypted: boolean;
  readonly previous?: { readonly text: string; readonly encrypted: boolean };
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly added: readonly string[];
}

export const init: CommandRunner = async (global, io, _args, options) => {
  const answersFile = options['answers'] as string | undefined;
  const plainFlag = options['plainProfile'] === true;
  if (answersFile !== undefined) return initFromAnswers(global, io, answersFile, plainFlag);
  if (global.nonInteractive) {
    throw new WizardError('usage', 'init needs a terminal for the wizard, or an answers file', 'run it in a terminal, or pass --answers FILE (see profiles/answers.example.yaml)');
  }
  const { initInteractive } = await import('./init-interactive.js');
  return initInteractive(global, io, plainFlag);
};

async function readExisting(global: GlobalOptions, name: string): Promise<InitPlan['previous']> {
  const paths = profilePaths(global.dir, name);
  const exists = async (file: string) => readFile(file, 'utf8').then(() => true, () => false);
  if (!(await exists(paths.plain)) && !(await exists(paths.encrypted))) return undefined;
  const { decryptProfile } = await import('../vault/profile-file.js');
  const loaded = await readProfile(global.dir, name, decryptProfile(global));
  return { text: loaded.text, encrypted: loaded.encrypted };
}

function expandHome(file: string): string {
  return file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
}

async function initFromAnswers(global: GlobalOptions, io: Io, file: string, plainFlag: boolean): Promise<number> {
  let text: string;
  try {
    text = await readFile(path.resolve(global.dir, file), 'utf8');
  } catch (error) {
    throw new WizardError('usage', `cannot read the answers file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check the path (it is relative to --dir)');
  }
  const parsed = parseAnswers(parseYaml(text, file));
  if (!parsed.ok) throw new ProfileError(file, parsed.issues, 'fix these answers and run init again');
  const { answers } = parsed;
  const issues: Issue[] = [];

  const keys: string[] = [];
  for (const [i, keyFile] of answers.sshPublicKeyFiles.entries()) {
    try {
      keys.push((await readFile(expandHome(keyFile), 'utf8')).trim());
    } catch {
      issues.push({ path: `operator.sshPublicKeyFiles[${i}]`, message: `cannot read ${keyFile}` });
    }
  }
  const operator = (answers.profile['operator'] ?? {}) as Record<string, unknown>;
  const profileObject = { ...answers.profile, operator: { ...operator, sshPublicKeys: [...((operator['sshPublicKeys'] as string[]) ?? []), ...keys] } };

  const secrets = new Map<string, Secret>();
  for (const [key, source] of answers.secrets) {
    const value = 'value' in source ? source.value : io.env[source.env];
    if (value === undefined || value === '') issues.push({ path: `secrets.${key}`, message: `the environment variable ${'env' in source ? source.env : ''} is not set` });
    else secrets.set(key, Secret.of(value));
  }

  const name = global.profile ?? (typeof (answers.profile['project'] as Record<string, unknown> | undefined)?.['name'] === 'string' ? ((answers.profile['project'] as Record<string, unknown>)['name'] as string) : undefined);
  if (name === undefined) issues.push({ path: 'project.name', message: 'is required' });
  const previous = name === undefined || issues.length > 0 ? undefined : await readExisting(global, name);
  const merged = mergeProfileText(previous?.text, profileObject);
  const validation = validateProfile(parseYaml(merged, file));
  if (!validation.ok) issues.push(...validation.issues);
  if (issues.length > 0 || !validation.ok || name === undefined) throw new ProfileError(file, issues, 'fix these answers and run init again');

  const encrypted = plainFlag ? false : answers.encryptedProfile ?? previous?.encrypted ?? true;
  if (previous) {
    const shown = previous.text === merged ? `profile ${name}: no change\n` : profileDiff(name, previous.text, merged);
    if (global.json) io.stderr(shown);
    else io.stdout(shown);
  }
  const plan: InitPlan = { name, text: merged, profile: validation.profile, encrypted, ...(previous ? { previous } : {}), secrets, added: answers.added };
  await writeInit(global, io, plan);
  return 0;
}

/** Unified diff of the profile text, shown before an existing profile is rewritten. */
export function profileDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(`${name} (current)`, `${name} (new)`, before, after, '', '', { context: 3 });
}

/** Write the vault (generated and given secrets), then the profile, then the schema file. */
export async function writeInit(global: GlobalOptions, io: Io, plan: InitPlan): Promise<void> {
  const { ensureRecipients } = await import('../vault/identity-setup.js');
  const { updateVault } = await import('../vault/vault.js');
  const { missingSecrets } = await import('../vault/generate.js');
  const { writeProfileFile, removeOtherProfileForm } = await import('../vault/profile-file.js');
  const { randomSource } = await import('../vault/random.js');

  const out = (line: string) => (global.json ? io.stderr(`${line}\n`) : io.stdout(`${line}\n`));
  for (const line of plan.added) out(`added ${line}`);

  const recipients = await ensureRecipients(global, plan.name, out);
  const required = externalSecretsFor(parseYaml(plan.text, plan.name) as Record<string, unknown>).filter((s) => s.required === true);
  const result = await updateVault(global.dir, plan.name, (entries: Map<string, Secret>) => {
    for (const [key, value] of plan.secrets) entries.set(key, value);
    for (const [key, value] of missingSecrets(plan.profile, new Set(entries.keys()), randomSource())) entries.set(key, value);
  }, { ...global, create: true, recipients });
  const vaultKeys = new Set(result.keys);
  const stillMissing = required.filter((s) => !vaultKeys.has(s.key)).map((s) => s.key);

  await writeProfileFile(global.dir, plan.name, plan.text, { encrypted: plan.encrypted, recipients });
  if (plan.previous && plan.previous.encrypted !== plan.encrypted) await removeOtherProfileForm(global.dir, plan.name, plan.encrypted);
  const schemaFile = path.join(global.dir, 'profiles', SCHEMA_FILE_NAME);
  await writeFile(schemaFile, `${JSON.stringify(profileJsonSchema(), null, 2)}\n`, { flag: 'wx' }).catch(() => undefined);

  const paths = profilePaths(global.dir, plan.name);
  const summary = {
    profile: plan.encrypted ? paths.encrypted : paths.plain,
    vault: paths.vault,
    generated: result.added,
    missingSecrets: stillMissing,
    next: `homelab-wizard plan --profile ${plan.name}`,
  };
  if (global.json) {
    io.stdout(`${JSON.stringify(summary)}\n`);
    return;
  }
  out(`wrote ${summary.profile}${plan.encrypted ? ' (encrypted)' : ''}`);
  out(`wrote ${summary.vault}: ${result.keys.length} secrets, ${result.added.length} generated now`);
  if (stillMissing.length > 0) out(`still missing in the vault: ${stillMissing.join(', ')} (set each with: homelab-wizard secrets set KEY --profile ${plan.name})`);
  out(`next: ${summary.next}`);
}

export function abortInit(): never {
  throw new UserAbortError('init aborted: nothing was written');
}
