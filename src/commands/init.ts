import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { ProfileError, UserAbortError, WizardError, type Issue } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { parseAnswers } from '../profile/answers.js';
import { profileJsonSchema, SCHEMA_FILE_NAME } from '../profile/json-schema.js';
import { parseYaml, readProfile } from '../profile/load.js';
import { mergeProfileText } from '../profile/merge.js';
import { profilePaths } from '../profile/paths.js';
import type { Profile } from '../profile/schema.js';
import { validateProfile } from '../profile/validate.js';
import type { IdentityProvider } from '../vault/identity.js';
import { expandHome } from '../ssh/identity.js';
import { DEFAULT_KEY_FILE, homeOf, pendingSshKey, writePendingKey, type PendingSshKey } from './ssh-key.js';
import { identityFor } from '../session/vault-access.js';

/** What init is about to write, decided before anything touches the disk. */
interface InitPlan {
  readonly name: string;
  readonly text: string;
  readonly profile: Profile;
  readonly encrypted: boolean;
  readonly previous?: { readonly text: string; readonly encrypted: boolean };
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly added: readonly string[];
  /** An SSH key made for this init: written with the profile, when the profile still uses it. */
  readonly sshKey?: PendingSshKey;
}


/** The profile as it is now, decrypted when needed; undefined when there is none yet. */
export async function readExisting(global: GlobalOptions, io: Io, name: string, identity: IdentityProvider = identityFor(global, io)): Promise<InitPlan['previous']> {
  const paths = profilePaths(global.dir, name);
  const exists = async (file: string) => stat(file).then(() => true, () => false);
  if (!(await exists(paths.plain)) && !(await exists(paths.encrypted))) return undefined;
  const { profileDecryptor } = await import('../vault/profile-file.js');
  const loaded = await readProfile(global.dir, name, profileDecryptor(identity));
  return { text: loaded.text, encrypted: loaded.encrypted };
}

/**
 * The keys the profile's vault holds now, so a re-run neither offers to generate them again nor
 * asks for them; undefined when there is no vault yet or it cannot be read (the write says why).
 */
export async function existingVaultKeys(global: GlobalOptions, name: string, identity: IdentityProvider): Promise<string[] | undefined> {
  if (!(await stat(profilePaths(global.dir, name).vault).then(() => true, () => false))) return undefined;
  const { openVault } = await import('../vault/vault.js');
  return openVault(global.dir, name, { identity }).then((vault) => vault.keys(), () => undefined);
}

/** `init --answers FILE`: the same profile as the wizard builds, from YAML; never loads Ink or React. */
export async function initFromAnswers(global: GlobalOptions, io: Io, file: string, plainFlag: boolean, createKeyFlag = false): Promise<number> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new WizardError('usage', `cannot read the answers file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check the path (relative to the current folder)');
  }
  const parsed = parseAnswers(parseYaml(text, file));
  if (!parsed.ok) throw new ProfileError(file, parsed.issues, 'fix these answers and run init again');
  const { answers } = parsed;
  const issues: Issue[] = [];

  const operator = (answers.profile['operator'] ?? {}) as Record<string, unknown>;
  const given = (operator['sshPublicKeys'] as string[] | undefined) ?? [];
  // A missing key is created only when asked to (the flag or operator.createSshKey), once.
  const create = answers.createSshKey ?? (createKeyFlag ? {} : undefined);
  let passphrase: Secret | undefined;
  if (create?.passphraseEnv !== undefined) {
    const value = io.env[create.passphraseEnv];
    if (value === undefined || value === '') issues.push({ path: 'operator.createSshKey.passphraseEnv', message: `the environment variable ${create.passphraseEnv} is not set` });
    else passphrase = Secret.of(value);
  }
  let sshKey: PendingSshKey | undefined;
  const makeKey = async (shown: string): Promise<PendingSshKey | undefined> => (issues.length > 0 ? undefined : (sshKey = await pendingSshKey(io, shown, passphrase)));
  const keys: string[] = [];
  for (const [i, keyFile] of answers.sshPublicKeyFiles.entries()) {
    try {
      keys.push((await readFile(expandHome(keyFile, homeOf(io)), 'utf8')).trim());
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing && create !== undefined && sshKey === undefined && keyFile.endsWith('.pub')) {
        const made = await makeKey(keyFile.slice(0, -'.pub'.length));
        if (made) keys.push(made.pair.publicKey);
      } else {
        const how = missing && keyFile.endsWith('.pub') ? ': it does not exist; pass --create-ssh-key (or set operator.createSshKey: true) to create an ed25519 key there' : '';
        issues.push({ path: `operator.sshPublicKeyFiles[${i}]`, message: `cannot read ${keyFile}${how}` });
      }
    }
  }
  // Asked to create one and given no key at all: the key the profile logs in with.
  if (create !== undefined && given.length === 0 && keys.length === 0 && answers.sshPublicKeyFiles.length === 0) {
    const made = await makeKey(typeof operator['identityFile'] === 'string' ? operator['identityFile'] : DEFAULT_KEY_FILE);
    if (made) keys.push(made.pair.publicKey);
  }
  const made = sshKey as PendingSshKey | undefined;
  const identityFile = made !== undefined && operator['identityFile'] === undefined && made.shown !== DEFAULT_KEY_FILE ? { identityFile: made.shown } : {};
  const profileObject = { ...answers.profile, operator: { ...operator, ...identityFile, sshPublicKeys: [...given, ...keys] } };

  const secrets = new Map<string, Secret>();
  for (const [key, source] of answers.secrets) {
    const value = 'value' in source ? source.value : io.env[source.env];
    if (value === undefined || value === '') issues.push({ path: `secrets.${key}`, message: `the environment variable ${'env' in source ? source.env : ''} is not set` });
    else secrets.set(key, Secret.of(value));
  }

  const name = global.profile ?? (typeof (answers.profile['project'] as Record<string, unknown> | undefined)?.['name'] === 'string' ? ((answers.profile['project'] as Record<string, unknown>)['name'] as string) : undefined);
  if (name === undefined) issues.push({ path: 'project.name', message: 'is required' });
  const previous = name === undefined || issues.length > 0 ? undefined : await readExisting(global, io, name);
  const merged = mergeProfileText(previous?.text, profileObject);
  const validation = validateProfile(parseYaml(merged, file));
  if (!validation.ok) issues.push(...validation.issues);
  if (issues.length > 0 || !validation.ok || name === undefined) throw new ProfileError(file, issues, 'fix these answers and run init again');

  const encrypted = plainFlag ? false : answers.encryptedProfile ?? previous?.encrypted ?? true;
  if (previous) {
    const shown = `${previous.text === merged ? `profile ${name}: no change\n` : profileDiff(name, previous.text, merged)}${previous.encrypted !== encrypted ? `${formSwitchLine(name, previous.encrypted)}\n` : ''}`;
    if (global.json) io.stderr(shown);
    else io.stdout(shown);
  }
  const plan: InitPlan = { name, text: merged, profile: validation.profile, encrypted, ...(previous ? { previous } : {}), secrets, added: answers.added, ...(made ? { sshKey: made } : {}) };
  await writeInit(global, io, plan);
  return 0;
}

/** Said before a profile changes form (plain ⇄ encrypted), and again after the write. */
export function formSwitchLine(name: string, wasEncrypted: boolean): string {
  const before = `profiles/${name}.yaml${wasEncrypted ? '.age' : ''}`;
  const after = `profiles/${name}.yaml${wasEncrypted ? '' : '.age'}`;
  const note = wasEncrypted ? '' : ' (plain text: delete it once you no longer need it)';
  return `form: ${wasEncrypted ? 'encrypted → plain' : 'plain → encrypted'}, written to ${after}\n  ${before} is kept as ${before}.bak${note}`;
}

/** Unified diff of the profile text, shown before an existing profile is rewritten. */
export function profileDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(`${name} (current)`, `${name} (new)`, before, after, '', '', { context: 3 });
}

/** The default identity is created on first use, like `keys init`, and the operator told to back it up. */
async function ensureIdentity(io: Io, out: (line: string) => void): Promise<void> {
  const { identityLocation, createIdentityFile } = await import('../vault/identity.js');
  const where = identityLocation(io.env);
  if (where.kind !== 'file' || where.fromEnv) return;
  if (await stat(where.file).then(() => true, () => false)) return;
  const { publicKey } = await createIdentityFile(where.file, { now: new Date() });
  out(`created your age identity ${where.file} (public key ${publicKey}): back it up, without it the vault cannot be read`);
}

/** Write the vault (given and generated secrets), then the profile, then the schema file. */
export async function writeInit(global: GlobalOptions, io: Io, plan: InitPlan, unlock?: IdentityProvider): Promise<void> {
  const { updateVault } = await import('../vault/vault.js');
  const { missingSecrets, missingRequired } = await import('../vault/generate.js');
  const { writeProfileFile } = await import('../vault/profile-file.js');

  const out = (line: string) => (global.json ? io.stderr(`${line}\n`) : io.stdout(`${line}\n`));
  for (const line of plan.added) out(`added ${line}`);
  const key = plan.sshKey;
  // Only when the profile still uses it (the wizard's key field may have been changed since).
  if (key !== undefined && plan.profile.operator.sshPublicKeys.some((k) => k.trim() === key.pair.publicKey.trim())) await writePendingKey(key, io, out);
  await ensureIdentity(io, out);
  const identity = unlock ?? identityFor(global, io);

  const update = await updateVault(
    global.dir,
    plan.name,
    (entries: Map<string, Secret>) => {
      for (const [key, value] of plan.secrets) entries.set(key, value);
      const generated = missingSecrets(plan.profile, entries.keys(), (n) => randomBytes(n));
      for (const g of generated) entries.set(g.key, g.value);
      return { generated: generated.map((g) => g.key), keys: [...entries.keys()] };
    },
    { identity, create: true, command: 'init' },
  );
  const stillMissing = missingRequired(plan.profile, update.result.keys).map((k) => k.spec.key);
  const written = await writeProfileFile(global.dir, plan.name, plan.text, { encrypted: plan.encrypted, recipients: update.recipients, identity });
  const schemaFile = path.join(global.dir, 'profiles', SCHEMA_FILE_NAME);
  await writeFile(schemaFile, `${JSON.stringify(profileJsonSchema(), null, 2)}\n`, { flag: 'wx' }).catch(() => undefined);

  const paths = profilePaths(global.dir, plan.name);
  const summary = { profile: written, vault: paths.vault, generated: update.result.generated, missingSecrets: stillMissing, next: `homelab-wizard plan --profile ${plan.name}` };
  if (global.json) {
    io.stdout(`${JSON.stringify(summary)}\n`);
    return;
  }
  out(`wrote ${written}${plan.encrypted ? ' (encrypted to the vault\'s recipients)' : ''}`);
  out(`wrote ${paths.vault}: ${update.result.generated.length} secrets generated now${update.changed ? '' : ' (no change)'}`);
  if (stillMissing.length > 0) out(`still missing in the vault: ${stillMissing.join(', ')}; set each with: homelab-wizard secrets set KEY --profile ${plan.name}`);
  out(`next: ${summary.next}`);
}

export function abortInit(): never {
  throw new UserAbortError('init aborted: nothing was written');
}
