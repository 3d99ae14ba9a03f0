import { constants } from 'node:fs';
import { chmod, link, lstat, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import { WizardError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { decryptWithPassphrase, encryptWithPassphrase, newIdentity, publicKeyOf } from './age.js';
import { ageShape } from './age-header.js';
import { identityFileText, parseIdentityText, publicKeyComment } from './identity-file.js';
import { shownPath } from './shown-path.js';

/**
 * The operator's age identity: where it is, how it is unlocked, how a new one is made.
 *
 * - `HOMELAB_WIZARD_IDENTITY` is the identity itself (`AGE-SECRET-KEY-1…`, for CI) or the path of
 *   an identity file; otherwise `$XDG_CONFIG_HOME/homelab-wizard/identity.txt` (~/.config).
 * - The file is the `age-keygen` format, or that text encrypted with a passphrase (scrypt,
 *   armored): the age CLI accepts both with `-i`. The passphrase comes from
 *   `HOMELAB_WIZARD_PASSPHRASE` or from a hidden prompt the caller supplies.
 */

export interface UnlockedIdentity {
  readonly keys: readonly Secret[];
  /** The public keys of `keys`, same order; the first is "your key" in messages. */
  readonly publicKeys: readonly string[];
  readonly publicKey: string;
  /** Where it came from, for messages (a path, or the variable's name). */
  readonly source: string;
}

export type IdentityProvider = () => Promise<UnlockedIdentity>;

export interface IdentityEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** Asks for the passphrase of a protected identity; absent when prompting is impossible. */
  readonly askPassphrase?: (file: string, attempt: number) => Promise<Secret>;
  /** Warnings and progress for stderr. */
  readonly notice?: (line: string) => void;
}

export const IDENTITY_ENV = 'HOMELAB_WIZARD_IDENTITY';
export const PASSPHRASE_ENV = 'HOMELAB_WIZARD_PASSPHRASE';
/** Test-only: a lower scrypt work factor for passphrase-protected identities (10..18). */
export const TEST_SCRYPT_ENV = 'HOMELAB_WIZARD_TEST_SCRYPT_LOG_N';
export const DEFAULT_SCRYPT_LOG_N = 18;
const PASSPHRASE_ATTEMPTS = 3;

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p === '~' || p.startsWith('~/') ? path.join(env['HOME'] || homedir(), p.slice(1)) : p;
}

export function defaultIdentityPath(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(env['HOME'] || homedir(), '.config');
  return path.join(base, 'homelab-wizard', 'identity.txt');
}

export type IdentityLocation = { readonly kind: 'value'; readonly text: string } | { readonly kind: 'file'; readonly file: string; readonly fromEnv: boolean };

export function identityLocation(env: NodeJS.ProcessEnv): IdentityLocation {
  const value = env[IDENTITY_ENV]?.trim();
  if (value !== undefined && value !== '') {
    if (value.startsWith('AGE-SECRET-KEY-') || value.startsWith('AGE-PLUGIN-')) return { kind: 'value', text: value };
    return { kind: 'file', file: path.resolve(expandHome(value, env)), fromEnv: true };
  }
  return { kind: 'file', file: defaultIdentityPath(env), fromEnv: false };
}

export function scryptLogN(env: NodeJS.ProcessEnv, notice?: (line: string) => void): number {
  const raw = env[TEST_SCRYPT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_SCRYPT_LOG_N;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 10 || n > DEFAULT_SCRYPT_LOG_N) {
    throw new WizardError('usage', `${TEST_SCRYPT_ENV} must be a whole number from 10 to ${DEFAULT_SCRYPT_LOG_N}`, `unset it: it exists for tests only`);
  }
  if (n < DEFAULT_SCRYPT_LOG_N) notice?.(`warning: ${TEST_SCRYPT_ENV}=${n} weakens the passphrase protection; it is meant for tests only`);
  return n;
}

async function keysFromText(text: string, source: string): Promise<UnlockedIdentity> {
  const parsed = parseIdentityText(text);
  if (!parsed.ok) {
    throw new WizardError('identity-invalid', `${source} is not a usable age identity`, 'use a file made by `homelab-wizard keys init` or `age-keygen`', { issues: parsed.issues });
  }
  const keys = parsed.keys.map((k) => Secret.of(k));
  const publicKeys: string[] = [];
  for (const key of keys) {
    const pub = await publicKeyOf(key);
    if (pub === undefined) throw new WizardError('identity-invalid', `${source} holds an identity whose checksum does not match (a damaged or mistyped copy)`, 'restore the identity from your backup');
    publicKeys.push(pub);
  }
  return { keys, publicKeys, publicKey: publicKeys[0] as string, source };
}

async function unlockProtected(bytes: Uint8Array, file: string, ie: IdentityEnvironment): Promise<string> {
  const ctx = { file: shownPath(file), restoreHint: 'restore the identity file from your backup' };
  const fromEnv = ie.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return decryptWithPassphrase(bytes, Secret.of(fromEnv), ctx);
  if (ie.askPassphrase === undefined) {
    throw new WizardError('identity-missing', `${ctx.file} is protected by a passphrase and no terminal is there to ask for it`, `set ${PASSPHRASE_ENV}, or run the command in a terminal`);
  }
  for (let attempt = 1; ; attempt++) {
    const passphrase = await ie.askPassphrase(ctx.file, attempt);
    try {
      return await decryptWithPassphrase(bytes, passphrase, ctx);
    } catch (error) {
      if (attempt >= PASSPHRASE_ATTEMPTS || !(error instanceof WizardError) || !error.message.startsWith('wrong passphrase')) throw error;
      ie.notice?.('wrong passphrase, try again');
    }
  }
}

export async function loadIdentity(ie: IdentityEnvironment): Promise<UnlockedIdentity> {
  const where = identityLocation(ie.env);
  if (where.kind === 'value') return keysFromText(where.text, IDENTITY_ENV);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(where.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw where.fromEnv
        ? new WizardError('identity-missing', `${IDENTITY_ENV} points to ${where.file}, which does not exist`, 'fix the path, or unset it to use the default identity')
        : new WizardError('identity-missing', `no age identity at ${where.file}`, `create one with \`homelab-wizard keys init\`, or set ${IDENTITY_ENV} to your identity file`);
    }
    throw new WizardError('identity-missing', `cannot read the identity ${where.file}: ${code ?? (error as Error).message}`, 'check the file and its permissions');
  }
  const shape = ageShape(bytes);
  if (shape === 'armored' || shape === 'binary') return keysFromText(await unlockProtected(bytes, where.file, ie), where.file);
  try {
    const mode = (await lstat(where.file)).mode & 0o777;
    if ((mode & 0o077) !== 0) ie.notice?.(`warning: ${where.file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${where.file}`);
  } catch {
    // Read it already; the mode check is advice only.
  }
  return keysFromText(new TextDecoder().decode(bytes), where.file);
}

/** One unlock per command, however many files it decrypts (one passphrase prompt at most). */
export function identityProvider(ie: IdentityEnvironment): IdentityProvider {
  let pending: Promise<UnlockedIdentity> | undefined;
  return () => {
    pending ??= loadIdentity(ie);
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
}

export interface NewIdentityOptions {
  /** Protect the file with this passphrase (scrypt at 2^logN). */
  readonly passphrase?: Secret;
  readonly logN?: number;
  readonly now: Date;
}

/** Create a new identity file; never overwrites. Folder 0700 (when it is ours), file 0600. */
/** Throws identity-exists (with the public key when it is readable) if `file` exists. */
export async function refuseExistingIdentity(file: string): Promise<void> {
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : ''));
  if (existing !== undefined) {
    const pub = publicKeyComment(existing);
    throw new WizardError('identity-exists', `an identity already exists at ${file}${pub ? ` (public key ${pub})` : ''}`, 'keep using it; to start over, move it away first (the vaults encrypted to it need it to be read)');
  }
}

export async function createIdentityFile(file: string, options: NewIdentityOptions): Promise<{ publicKey: string }> {
  await refuseExistingIdentity(file);
  const dir = path.dirname(file);
  const dirExisted = await lstat(dir).then(() => true, () => false);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!dirExisted || path.basename(dir) === 'homelab-wizard') await chmod(dir, 0o700);
  const { secretKey, publicKey } = await newIdentity();
  const created = options.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const plain = identityFileText(secretKey.reveal(), publicKey, created);
  const content = options.passphrase ? await encryptWithPassphrase(plain, options.passphrase, options.logN ?? DEFAULT_SCRYPT_LOG_N) : plain;
  const tmp = path.join(dir, `.identity.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() fails if the name exists: a concurrent `keys init` cannot be overwritten either.
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new WizardError('identity-exists', `an identity already exists at ${file}`, 'keep using it; to start over, move it away first');
    throw new WizardError('identity-invalid', `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `check that ${dir} is writable`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return { publicKey };
}
