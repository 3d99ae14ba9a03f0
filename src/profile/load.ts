import { constants, type Stats } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
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

/** Far above any real profile (the four-server example is 3 KB); a bigger file is not a profile. */
export const MAX_PROFILE_BYTES = 1024 * 1024;

const KIND: [string, (s: Stats) => boolean][] = [
  ['a folder', (s) => s.isDirectory()],
  ['a named pipe (FIFO)', (s) => s.isFIFO()],
  ['a character device', (s) => s.isCharacterDevice()],
  ['a block device', (s) => s.isBlockDevice()],
  ['a socket', (s) => s.isSocket()],
];

/**
 * Reads a profile file, or undefined when there is none. Only a regular file of a sane size is
 * read: a FIFO would block forever and a link to /dev/zero would never end. The file is opened
 * without blocking and checked on the open handle, so it cannot be swapped between check and read.
 */
async function readIfExists(file: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const hint = code === 'EACCES' || code === 'EPERM' ? 'check the file permissions' : 'check that it is a readable file';
    throw new WizardError('profile-unreadable', `cannot read ${file}: ${code ?? (error as Error).message}`, hint, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const kind = KIND.find(([, test]) => test(info))?.[0] ?? 'not a regular file';
      throw new WizardError('profile-unreadable', `${file} is ${kind}, not a regular file`, 'a profile must be a plain file: replace it with the YAML (or .yaml.age) file itself');
    }
    if (info.size > MAX_PROFILE_BYTES) {
      throw new WizardError('profile-unreadable', `${file} is ${Math.round(info.size / 1024)} KiB, more than the ${MAX_PROFILE_BYTES / 1024} KiB a profile may have`, 'check that this is the right file');
    }
    // Read at most one byte past the limit: a file that grows while it is read is refused too.
    const buffer = Buffer.alloc(MAX_PROFILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_PROFILE_BYTES) throw new WizardError('profile-unreadable', `${file} is more than the ${MAX_PROFILE_BYTES / 1024} KiB a profile may have`, 'check that this is the right file');
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** A profile is a few levels deep; anything far deeper is a mistake or an attack on the parser's stack. */
export const MAX_PROFILE_DEPTH = 32;
/** `*alias` uses allowed in one profile; more is a "billion laughs" expansion, not a profile. */
export const MAX_PROFILE_ALIASES = 100;
const MAX_SYNTAX_ISSUES = 10;

/** The yaml package's message in words of this tool: no API names, no dangling "at line …:". */
function syntaxMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a second YAML document starts here (a line with ---): a profile is one document, remove the line or what follows it';
  if (/Maximum call stack size exceeded/.test(message)) return `is nested too deeply (a profile needs at most ${MAX_PROFILE_DEPTH} levels)`;
  const first = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '').trim();
  return first === '' ? 'invalid YAML' : first;
}

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const child of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, depthOf(child, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

/** Parse YAML text; syntax errors and abuse (deep nesting, alias bombs, several documents) become issues naming the file. */
export function parseYaml(text: string, file: string): unknown {
  const fail = (issues: { path: string; message: string }[], hint = 'fix the YAML syntax, then run the command again'): never => {
    throw new ProfileError(file, issues, hint);
  };
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: { path: string; message: string }[] = [];
    const seen = new Set<string>();
    for (const e of doc.errors) {
      const issue = { path: `line ${(e.linePos?.[0]?.line ?? 0) || '?'}`, message: syntaxMessage(e.code, e.message) };
      // A parser stuck in deep nesting repeats one message per column: say it once.
      const key = /nested too deeply/.test(issue.message) ? issue.message : `${issue.path} ${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(issue);
    }
    if (issues.length > MAX_SYNTAX_ISSUES) issues.splice(MAX_SYNTAX_ISSUES, issues.length, { path: '…', message: `and ${issues.length - MAX_SYNTAX_ISSUES} more` });
    fail(issues);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_PROFILE_ALIASES });
  } catch (error) {
    if (error instanceof RangeError) fail([{ path: '(top level)', message: `is nested too deeply (a profile needs at most ${MAX_PROFILE_DEPTH} levels)` }]);
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      fail(
        [{ path: '(top level)', message: `expands YAML aliases (*name) too often: at most ${MAX_PROFILE_ALIASES} uses are allowed, to guard against alias bombs` }],
        'write the repeated values out, or use fewer aliases',
      );
    }
    throw error;
  }
  if (depthOf(value, MAX_PROFILE_DEPTH) > MAX_PROFILE_DEPTH) fail([{ path: '(top level)', message: `is nested too deeply (a profile needs at most ${MAX_PROFILE_DEPTH} levels)` }]);
  return value;
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
