import { Document, isMap, isScalar, LineCounter, Pair, parseDocument, Scalar, YAMLMap } from 'yaml';
import { WizardError, type Issue } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { isReservedKey, KEY_RE, keyProblem } from './keys.js';

/**
 * The vault's plaintext: a YAML map of dotted keys to string values. Parsed with the failsafe
 * schema, so `0x1F`, `yes` or `0123` stay exactly the text that was typed. Problems name lines and
 * keys, never values: YAML messages that quote the source are cut before the quote.
 */
export const MAX_VALUE_LENGTH = 64 * 1024;

export interface ParseOptions {
  /** The tool's own write: the reserved records are allowed. */
  readonly tool?: boolean;
}

function lineOf(counter: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return 'line ?';
  return `line ${counter.linePos(offset).line}`;
}

/** First line of a YAML error without the excerpt of the source that follows it. */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? 'invalid YAML';
  return first.replace(/ at line \d+, column \d+:?$/, '').trim() || 'invalid YAML';
}

export function vaultProblems(text: string, options: ParseOptions = {}): { entries: Map<string, Secret>; issues: Issue[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, lineCounter: counter, prettyErrors: false });
  const entries = new Map<string, Secret>();
  const issues: Issue[] = [];
  for (const error of doc.errors) issues.push({ path: lineOf(counter, error.pos[0]), message: yamlMessage(error.message) });
  if (issues.length > 0) return { entries, issues };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === '' || root.value === null))) return { entries, issues };
  if (!isMap(root)) return { entries, issues: [{ path: lineOf(counter, root.range?.[0]), message: 'the vault must be a map of `key: value` lines' }] };
  for (const pair of root.items) {
    const keyNode = pair.key;
    const at = lineOf(counter, isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      issues.push({ path: at, message: 'a key must be a plain name such as service.name' });
      continue;
    }
    const key = keyNode.value;
    const value = pair.value;
    if (isMap(value)) {
      issues.push({ path: `${at} (${key.slice(0, 64)})`, message: `nested keys are not allowed: write each one as ${key.slice(0, 64)}.name: value` });
      continue;
    }
    const problem = keyProblem(key, options);
    if (problem !== undefined) {
      // A malformed key may be a value pasted on the wrong side of the colon: name it only if it is well-formed.
      issues.push({ path: KEY_RE.test(key) ? `${at} (${key})` : at, message: `key ${problem}` });
      continue;
    }
    if (!isScalar(value) || typeof value.value !== 'string') {
      issues.push({ path: `${at} (${key})`, message: 'the value must be one string (quote it if it looks like a list)' });
      continue;
    }
    if (value.value === '') {
      issues.push({ path: `${at} (${key})`, message: 'the value is empty: give a value, or delete the line to remove the secret' });
      continue;
    }
    if (value.value.length > MAX_VALUE_LENGTH) {
      issues.push({ path: `${at} (${key})`, message: `the value is longer than ${MAX_VALUE_LENGTH} characters` });
      continue;
    }
    entries.set(key, Secret.of(value.value));
  }
  return { entries, issues };
}

/** Parse the vault's plaintext; every problem at once, as a WizardError with one issue per line. */
export function parseVaultText(text: string, source: string, options: ParseOptions = {}): Map<string, Secret> {
  const { entries, issues } = vaultProblems(text, options);
  if (issues.length > 0) {
    throw new WizardError('vault-invalid', `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the vault's YAML`, 'fix the lines above; values must be strings under dotted keys', { issues });
  }
  return entries;
}

/** A block literal keeps a multi-line value (a PEM key) readable, where that round-trips safely. */
function valueScalar(value: string): Scalar {
  const scalar = new Scalar(value);
  const lines = value.split('\n');
  const blockSafe = lines.length > 1 && !value.includes('\r') && !value.endsWith('\n\n') && lines.every((l) => !/[ \t]$/.test(l)) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value);
  scalar.type = blockSafe ? 'BLOCK_LITERAL' : 'QUOTE_DOUBLE';
  return scalar;
}

/** Sorted `key: "value"` lines; the tool's own records last. Reveals values: the result is plaintext. */
export function serialiseVault(entries: ReadonlyMap<string, Secret>, headerComment: readonly string[] = []): string {
  const keys = [...entries.keys()].sort((a, b) => Number(isReservedKey(a)) - Number(isReservedKey(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const map = new YAMLMap();
  for (const key of keys) map.items.push(new Pair(new Scalar(key), valueScalar((entries.get(key) as Secret).reveal())));
  const doc = new Document(null);
  doc.contents = map;
  if (headerComment.length > 0) doc.commentBefore = headerComment.map((l) => ` ${l}`).join('\n');
  if (keys.length === 0) return headerComment.length > 0 ? `${headerComment.map((l) => `# ${l}`).join('\n')}\n{}\n` : '{}\n';
  return doc.toString({ lineWidth: 0 });
}

/** Same keys and same values. */
export function sameEntries(a: ReadonlyMap<string, Secret>, b: ReadonlyMap<string, Secret>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key)?.reveal() !== value.reveal()) return false;
  return true;
}

/** Keys added, removed or given another value between two versions of the vault. */
export function changedKeys(before: ReadonlyMap<string, Secret>, after: ReadonlyMap<string, Secret>): string[] {
  const out = new Set<string>();
  for (const [key, value] of after) if (before.get(key)?.reveal() !== value.reveal()) out.add(key);
  for (const key of before.keys()) if (!after.has(key)) out.add(key);
  return [...out].sort();
}
