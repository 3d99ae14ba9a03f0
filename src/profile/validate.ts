import type { z } from 'zod';
import type { Issue } from '../errors.js';
import { migrateProfile } from './migrate.js';
import { crossFieldIssues } from './rules.js';
import { profileSchema, type Profile } from './schema.js';

export type Validation = { ok: true; profile: Profile } | { ok: false; issues: Issue[] };

/** `hosts[1].ssh.port` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function zodIssues(error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...issue.path, key]), message: 'is not a known field (check the spelling; extension keys must start with x-)' });
      }
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message === 'Invalid input') {
      out.push({ path: formatPath(issue.path), message: 'has an invalid shape' });
    } else {
      out.push({ path: formatPath(issue.path), message: friendlyMessage(issue) });
    }
  }
  return out;
}

const NOUN: Record<string, string> = { string: 'text', number: 'number', int: 'whole number', boolean: 'true or false', array: 'list', object: 'mapping (key: value lines)' };
const nounOf = (value: unknown): string =>
  Array.isArray(value) ? 'a list' : value === null ? 'empty (null)' : typeof value === 'object' ? 'a mapping' : typeof value === 'string' ? 'text' : `a ${typeof value}`;
const quoted = (values: readonly unknown[]): string => values.map((v) => String(v)).join(', ');

/**
 * zod's own wording ("Invalid option: expected one of …") in the tool's voice, like every
 * message the schema sets itself. Messages the schema sets are kept as they are.
 */
function friendlyMessage(issue: z.core.$ZodIssue): string {
  const own = !/^(Invalid input|Invalid option|Too small|Too big|Invalid discriminator)/.test(issue.message);
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (own) return issue.message;
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${quoted(issue.values)}`;
    case 'invalid_type': {
      if (issue.expected === 'int') return 'must be a whole number';
      const expected = NOUN[issue.expected] ?? issue.expected;
      const article = expected === 'text' || expected === 'true or false' ? '' : /^[aeiou]/.test(expected) ? 'an ' : 'a ';
      return `must be ${article}${expected}, not ${nounOf(issue.input)}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'string') return issue.code === 'too_small' && bound === 1 ? 'must not be empty' : `must be ${word} ${bound} characters long`;
      if (issue.origin === 'array') return `must have ${word} ${bound} entries`;
      return `must be ${word} ${bound}`;
    }
    case 'invalid_union': {
      const options = /Expected (.*)$/.exec(issue.message)?.[1];
      return options ? `must be one of ${options.replace(/'/g, '').replace(/ \| /g, ', ')}` : 'has an invalid shape';
    }
    default:
      return issue.message.replace(/^Invalid input: /, 'must be ');
  }
}

/** Extension keys (`x-…`) are kept in the file and ignored by validation, as in Compose. */
export function withoutExtensionKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtensionKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !key.startsWith('x-'))
      .map(([key, v]) => [key, withoutExtensionKeys(v)]),
  );
}

// Tab, newline and carriage return are text; every other control character (NUL first) is not.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Control characters anywhere in the profile, keys and `x-` notes included: a NUL byte cuts a
 * string short in C programs (sshd, the shell) and hides the rest of the value from a reviewer.
 */
function controlCharacterIssues(value: unknown, path: (string | number)[] = []): Issue[] {
  if (typeof value === 'string') return CONTROL.test(value) ? [{ path: formatPath(path), message: 'contains a control character (such as a NUL byte); remove it' }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => controlCharacterIssues(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) =>
    CONTROL.test(key) ? [{ path: formatPath([...path, key.replace(CONTROL, '?')]), message: 'has a control character (such as a NUL byte) in its key; remove it' }] : controlCharacterIssues(v, [...path, key]),
  );
}

/** Every problem of a raw profile at once: shape first, then the rules that span fields. */
export function validateProfile(raw: unknown): Validation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: '(top level)', message: 'must be a YAML mapping (key: value lines)' }] };
  }
  const control = controlCharacterIssues(raw);
  if (control.length > 0) return { ok: false, issues: control };
  const migrated = migrateProfile(withoutExtensionKeys(raw) as Record<string, unknown>);
  const parsed = profileSchema.safeParse(migrated, { reportInput: true });
  if (parsed.success) {
    const issues = crossFieldIssues(parsed.data);
    return issues.length === 0 ? { ok: true, profile: parsed.data } : { ok: false, issues };
  }
  const issues = zodIssues(parsed.error);
  let extra: Issue[] = [];
  try {
    extra = crossFieldIssues(migrated as unknown as Profile);
  } catch {
    extra = []; // a shape too broken for the cross-field rules; the shape issues say enough
  }
  const seen = new Set(issues.map((i) => i.path));
  return { ok: false, issues: [...issues, ...extra.filter((i) => !seen.has(i.path))] };
}
