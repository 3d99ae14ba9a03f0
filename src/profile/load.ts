import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ProfileError, WizardError } from '../errors.js';
import { PROFILE_FILE_RE, PROFILE_NAME_RE, profilePaths } from './paths.js';
import type { Profile } from './schema.js';
import { validateProfile } from './validate.js';

/** Turns the armored text of `profiles/<name>.yaml.age` into YAML; supplied by the vault. */
export type ProfileDecryptor = (armored: string, file: string) => Promise<string>;

export interface LoadedProfile {
  readonly name: string;
  readonly file: string;
  readonly encrypted: boolean;
  /** The YAML text as stored (decrypted when the profile is encrypted). */
  readonly text: string;
  readonly raw: unknown;
}

/** Names of the profiles in `<dir>/profiles`, each once, sorted. */
export async function listProfiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(path.join(dir, 'profiles'));
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const entry of entries) {
    const match = PROFILE_FILE_RE.exec(entry);
    if (match?.[1]) names.add(match[1]);
  }
  return [...names].sort();
}

/** `--profile NAME`, or the only profile in the folder. */
export async function resolveProfileName(dir: string, requested: string | undefined): Promise<string> {
  if (requested !== undefined) {
    // The name becomes part of paths (profiles/<name>.yaml, vault/<name>.age): no `..`, no slashes.
    if (!PROFILE_NAME_RE.test(requested)) {
      throw new WizardError('usage', `--profile '${requested.slice(0, 40)}' is not a profile name`, 'use lower-case letters, digits and dashes, starting with a letter (the name of profiles/<name>.yaml)');
    }
    return requested;
  }
  const names = await listProfiles(dir);
  if (names.length === 1) return names[0] as string;
  if (names.length === 0) {
    throw new WizardError('profile-not-found', `no profile in ${path.join(dir, 'profiles')}`, 'run `homelab-wizard init` to create one, or pass --dir PATH to the project folder');
  }
  throw new WizardError('profile-ambiguous', `${names.length} profiles in ${path.join(dir, 'profiles')}: ${names.join(', ')}`, 'choose one with --profile NAME');
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WizardError('profile-unreadable', `cannot read ${file}: ${(error as Error).message}`, 'check the file permissions', { cause: error });
  }
}

/** Parse YAML text; syntax errors become issues with line numbers. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProfileError(
      file,
      doc.errors.map((e) => ({ path: `line ${(e.linePos?.[0]?.line ?? 0) || '?'}`, message: e.message.split('\n')[0] ?? 'invalid YAML' })),
      'fix the YAML syntax, then run the command again',
    );
  }
  return doc.toJS();
}

export async function readProfile(dir: string, name: string, decrypt?: ProfileDecryptor): Promise<LoadedProfile> {
  const paths = profilePaths(dir, name);
  const [plain, encrypted] = await Promise.all([readIfExists(paths.plain), readIfExists(paths.encrypted)]);
  if (plain !== undefined && encrypted !== undefined) {
    throw new WizardError(
      'profile-ambiguous',
      `profile '${name}' exists twice: ${paths.plain} and ${paths.encrypted}`,
      'keep one of them (move the other out of profiles/)',
    );
  }
  if (plain !== undefined) return { name, file: paths.plain, encrypted: false, text: plain, raw: parseYaml(plain, paths.plain) };
  if (encrypted !== undefined) {
    if (!decrypt) throw new WizardError('vault-error', `${paths.encrypted} is encrypted and this command cannot decrypt it`, 'use a command that reads the vault');
    const text = await decrypt(encrypted, paths.encrypted);
    return { name, file: paths.encrypted, encrypted: true, text, raw: parseYaml(text, paths.encrypted) };
  }
  const known = await listProfiles(dir);
  throw new WizardError(
    'profile-not-found',
    `no profile '${name}' in ${path.join(dir, 'profiles')}`,
    known.length > 0 ? `known profiles: ${known.join(', ')}` : 'run `homelab-wizard init` to create one',
  );
}

export function validateLoaded(loaded: LoadedProfile): Profile {
  const result = validateProfile(loaded.raw);
  if (!result.ok) throw new ProfileError(loaded.file, result.issues);
  return result.profile;
}
