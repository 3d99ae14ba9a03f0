import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WizardError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { profilePaths } from '../profile/paths.js';
import { ageHeader, decryptWithIdentities, encryptToRecipients, recipientProblem, unarmor, type FileContext } from './age.js';
import { atomicWrite, withLock } from './atomic-write.js';
import { fingerprint } from './fingerprint.js';
import type { IdentityProvider, UnlockedIdentity } from './identity.js';
import { FINGERPRINT_SALT_KEY, isReservedKey, keyProblem, REDEPLOY_KEY } from './keys.js';
import { parseRecipients, recipientsFileText } from './recipients-file.js';
import { parseRedeploy, withRedeploy } from './redeploy-record.js';
import { restoreHint } from './restore-hint.js';
import { shownPath } from './shown-path.js';
import { parseVaultText, sameEntries, serialiseVault } from './vault-yaml.js';

/**
 * `vault/<profile>.age`: an armored age file holding a YAML map of secrets, encrypted to every
 * key in `vault/<profile>.recipients`. Plain age, so `age -d -i key.txt vault/<profile>.age` works.
 * Every write holds the vault's lock from the read to the rename, is verified by decrypting the
 * new file before it replaces the old one, and keeps the previous version as `.bak`.
 */

export interface VaultOptions {
  /** Unlocks the operator's identity (at most once per command; see identityProvider). */
  readonly identity: IdentityProvider;
}

export interface UpdateOptions extends VaultOptions {
  /** Create the vault when it does not exist: encrypted to vault/<profile>.recipients, or to your own key (and that file is written). */
  readonly create?: boolean;
  /** Shown to anyone who waits for the lock. */
  readonly command?: string;
  readonly lockTimeoutMs?: number;
}

export interface Vault {
  readonly file: string;
  /** Recipient stanzas in the file's header. */
  readonly recipientCount: number;
  get(key: string): Secret | undefined;
  /** The operator's keys, sorted; the tool's own records are left out. */
  keys(): string[];
  /** Services whose secrets changed since they were last deployed. */
  pendingRedeploy(): string[];
  /** Short keyed fingerprint of a value; undefined for a missing key or a vault without salt. */
  fingerprint(key: string): string | undefined;
  /** A copy of every entry, the tool's own records included. */
  entries(): Map<string, Secret>;
}

export const VAULT_HEADER = [
  'homelab-wizard vault: dotted keys, string values. Edit it with `homelab-wizard secrets edit`.',
  'Keys under homelab-wizard. are the tool\'s own records (services to redeploy, fingerprint salt).',
];

function vaultContext(file: string): FileContext {
  const shown = shownPath(file);
  return { file: shown, restoreHint: restoreHint(file) };
}

async function readIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WizardError('vault-error', `cannot read ${shownPath(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check the file and its permissions');
  }
}

function missingVault(file: string, profileName: string): WizardError {
  return new WizardError('vault-missing', `no vault for profile '${profileName}': ${shownPath(file)} does not exist`, `create it with \`homelab-wizard secrets set KEY --profile ${profileName}\` (or \`homelab-wizard init\`), or restore it from version control`);
}

/** Decrypt and parse a vault file's bytes. */
async function decryptVault(bytes: Uint8Array, file: string, identity: UnlockedIdentity): Promise<{ entries: Map<string, Secret>; recipientCount: number }> {
  const ctx = vaultContext(file);
  const header = ageHeader(unarmor(bytes, ctx), ctx);
  const text = await decryptWithIdentities(bytes, identity.keys, identity.publicKey, ctx);
  try {
    return { entries: parseVaultText(text, ctx.file, { tool: true }), recipientCount: header.stanzaTypes.length };
  } catch (error) {
    if (error instanceof WizardError) {
      throw new WizardError('vault-invalid', `${ctx.file} decrypts, but ${error.message.replace(/^.*?: /, '')}`, `fix it with \`age -d\`/\`age -e\` or restore ${ctx.file}.bak`, { issues: error.issues });
    }
    throw error;
  }
}

function makeVault(file: string, entries: ReadonlyMap<string, Secret>, recipientCount: number): Vault {
  const salt = entries.get(FINGERPRINT_SALT_KEY);
  return {
    file,
    recipientCount,
    get: (key) => entries.get(key),
    keys: () => [...entries.keys()].filter((k) => !isReservedKey(k)).sort(),
    pendingRedeploy: () => parseRedeploy(entries.get(REDEPLOY_KEY)?.reveal()),
    fingerprint: (key) => {
      const value = entries.get(key);
      return value !== undefined && salt !== undefined ? fingerprint(salt, value) : undefined;
    },
    entries: () => new Map(entries),
  };
}

export function vaultFile(dir: string, profileName: string): string {
  return profilePaths(dir, profileName).vault;
}

/**
 * Damage to a recipient stanza looks exactly like a file for someone else. When the recipients
 * file lists your key, say so: the vault predates your key, or its header is damaged.
 */
async function explainNotRecipient(error: unknown, dir: string, profileName: string, identity: UnlockedIdentity): Promise<never> {
  if (error instanceof WizardError && error.code === 'vault-not-recipient') {
    const listed = await readRecipients(dir, profileName).catch(() => undefined);
    if (listed?.recipients.some((r) => identity.publicKeys.includes(r))) {
      const file = shownPath(vaultFile(dir, profileName));
      throw new WizardError(
        'vault-not-recipient',
        `${error.message}, though vault/${profileName}.recipients lists it`,
        `either the vault was written before your key was added (a recipient runs \`homelab-wizard secrets recipients add ${identity.publicKey}\` again) or its header is damaged (restore ${file}.bak or the version in git)`,
      );
    }
  }
  throw error;
}

/** Read and decrypt the vault of a profile. */
export async function openVault(dir: string, profileName: string, options: VaultOptions): Promise<Vault> {
  const file = vaultFile(dir, profileName);
  const bytes = await readIfExists(file);
  if (bytes === undefined) throw missingVault(file, profileName);
  const identity = await options.identity();
  const { entries, recipientCount } = await decryptVault(bytes, file, identity).catch((error: unknown) => explainNotRecipient(error, dir, profileName, identity));
  return makeVault(file, entries, recipientCount);
}

/** The recipients of a profile's vault, validated (shape and checksum); undefined when the file is missing. */
export async function readRecipients(dir: string, profileName: string): Promise<{ file: string; text: string; recipients: string[] } | undefined> {
  const file = profilePaths(dir, profileName).recipients;
  const bytes = await readIfExists(file);
  if (bytes === undefined) return undefined;
  const text = new TextDecoder().decode(bytes);
  const { recipients, issues } = parseRecipients(text);
  for (const [i, r] of recipients.entries()) {
    const problem = recipientProblem(r);
    if (problem !== undefined) issues.push({ path: `entry ${i + 1}`, message: `${r.slice(0, 16)}… ${problem}` });
  }
  if (issues.length > 0) throw new WizardError('recipient-invalid', `${shownPath(file)} has ${issues.length} bad line${issues.length === 1 ? '' : 's'}`, 'fix or remove those lines (one age1… public key a line)', { issues });
  if (recipients.length === 0) throw new WizardError('recipient-invalid', `${shownPath(file)} lists no recipient`, 'add at least one age1… public key (yours: see `homelab-wizard secrets recipients list`)');
  return { file, text, recipients };
}

/** Refuse to write a file its writer could no longer read. */
export function assertStillReadable(recipients: readonly string[], identity: UnlockedIdentity, recipientsFile: string): void {
  if (identity.publicKeys.some((k) => recipients.includes(k))) return;
  throw new WizardError(
    'recipient-invalid',
    `your key ${identity.publicKey} is not in ${shownPath(recipientsFile)}: writing now would lock you out`,
    `add it with \`homelab-wizard secrets recipients add ${identity.publicKey}\` (or ask a recipient to), then try again`,
  );
}

/** Encrypt the entries to the recipients, and prove the result decrypts back to them. */
export async function sealVault(entries: ReadonlyMap<string, Secret>, recipients: readonly string[], identity: UnlockedIdentity | undefined, file: string): Promise<string> {
  const text = serialiseVault(entries, VAULT_HEADER);
  const armored = await encryptToRecipients(text, recipients);
  if (identity !== undefined && identity.publicKeys.some((k) => recipients.includes(k))) {
    const back = await decryptWithIdentities(new TextEncoder().encode(armored), identity.keys, identity.publicKey, vaultContext(file));
    if (back !== text) throw new WizardError('internal', `the new ${shownPath(file)} did not decrypt back to what was written; nothing was changed`, 'this is a bug in homelab-wizard; report it');
  }
  return armored;
}

function withSalt(entries: Map<string, Secret>): void {
  if (!entries.has(FINGERPRINT_SALT_KEY)) entries.set(FINGERPRINT_SALT_KEY, Secret.of(randomBytes(32).toString('hex')));
}

/** Add services to the vault's redeploy record (inside a mutate, so it is written with the change). */
export function recordRedeploy(entries: Map<string, Secret>, services: Iterable<string>): void {
  const next = withRedeploy(entries.get(REDEPLOY_KEY)?.reveal(), services);
  if (next === undefined) entries.delete(REDEPLOY_KEY);
  else entries.set(REDEPLOY_KEY, Secret.of(next));
}

export interface UpdateResult<T> {
  readonly changed: boolean;
  /** The vault did not exist and was created by this update. */
  readonly created: boolean;
  readonly result: T;
  /** The recipients the vault is now encrypted to. */
  readonly recipients: readonly string[];
}

/**
 * Read-modify-write under the vault's lock: decrypt, let `mutate` change the map, and write back
 * atomically only when something changed. A mutate that throws leaves the vault untouched.
 */
export async function updateVault<T>(
  dir: string,
  profileName: string,
  mutate: (entries: Map<string, Secret>) => T | Promise<T>,
  options: UpdateOptions,
): Promise<UpdateResult<T>> {
  const paths = profilePaths(dir, profileName);
  const file = paths.vault;
  // Unlock first: a passphrase prompt must not keep other writers waiting on the lock.
  const identity = await options.identity();
  return withLock(
    file,
    async () => {
      const bytes = await readIfExists(file);
      let before: Map<string, Secret>;
      let recipients: string[];
      let writeRecipients = false;
      if (bytes === undefined) {
        if (options.create !== true) throw missingVault(file, profileName);
        before = new Map();
        const listed = await readRecipients(dir, profileName);
        recipients = listed?.recipients ?? [identity.publicKey];
        writeRecipients = listed === undefined;
      } else {
        before = (await decryptVault(bytes, file, identity).catch((error: unknown) => explainNotRecipient(error, dir, profileName, identity))).entries;
        const listed = await readRecipients(dir, profileName);
        if (listed === undefined) {
          throw new WizardError('recipient-invalid', `${shownPath(paths.recipients)} is missing, so the vault cannot be re-encrypted`, 'restore it from version control, or write the age1… public keys of everyone who should read the vault into it, one a line');
        }
        recipients = listed.recipients;
      }
      const working = new Map(before);
      const result = await mutate(working);
      const bad = [...working.keys()].map((k) => [k, keyProblem(k, { tool: true })] as const).filter(([, p]) => p !== undefined);
      if (bad.length > 0) throw new WizardError('secret-invalid', `key ${bad[0]?.[0]} ${bad[0]?.[1]}`, 'use a dotted key such as service.name');
      if (sameEntries(before, working)) return { changed: false, created: false, result, recipients };
      assertStillReadable(recipients, identity, paths.recipients);
      withSalt(working);
      const armored = await sealVault(working, recipients, identity, file);
      if (writeRecipients) await atomicWrite(paths.recipients, recipientsFileText(recipients, profileName), { mode: 0o644 });
      await atomicWrite(file, armored, { mode: 0o644 });
      return { changed: true, created: bytes === undefined, result, recipients };
    },
    { command: options.command ?? 'homelab-wizard', ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}) },
  );
}

/** A new vault with these entries, encrypted to these recipients (and the recipients file). Refuses to replace one. */
export async function createVault(
  dir: string,
  profileName: string,
  entries: ReadonlyMap<string, Secret> | Iterable<readonly [string, Secret]>,
  recipients: readonly string[],
  options: { identity?: IdentityProvider } = {},
): Promise<void> {
  const paths = profilePaths(dir, profileName);
  const map = new Map<string, Secret>(entries as Iterable<readonly [string, Secret]>);
  for (const key of map.keys()) {
    const problem = keyProblem(key, { tool: true });
    if (problem !== undefined) throw new WizardError('secret-invalid', `key ${key} ${problem}`, 'use a dotted key such as service.name');
  }
  const unique = [...new Set(recipients)];
  for (const r of unique) {
    const problem = recipientProblem(r);
    if (problem !== undefined) throw new WizardError('recipient-invalid', `${r.slice(0, 16)}… ${problem}`, 'pass age1… X25519 public keys');
  }
  await withLock(paths.vault, async () => {
    if ((await readIfExists(paths.vault)) !== undefined) {
      throw new WizardError('vault-exists', `${shownPath(paths.vault)} already exists`, 'change it with `homelab-wizard secrets set|edit`; it is never replaced whole');
    }
    withSalt(map);
    const identity = options.identity ? await options.identity() : undefined;
    const armored = await sealVault(map, unique, identity, paths.vault);
    await atomicWrite(paths.recipients, recipientsFileText(unique, profileName), { mode: 0o644 });
    await atomicWrite(paths.vault, armored, { mode: 0o644 });
  }, { command: 'create vault' });
}
