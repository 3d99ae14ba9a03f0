import type { Issue } from '../errors.js';

/**
 * `vault/<profile>.recipients`: one X25519 age public key a line; `#` comments and blank lines are
 * kept as written, so the operator can note who each key belongs to. The checksum of each key is
 * verified by the age adapter; this file only knows the shape.
 */
export const X25519_RECIPIENT_RE = /^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/;

/** Why a string is not a recipient this tool encrypts to, or undefined when its shape is right. */
export function recipientShapeProblem(value: string): string | undefined {
  if (value.startsWith('age1pq1')) return 'is a post-quantum key; age 1.1 and 1.2 cannot read files encrypted to it, so homelab-wizard uses X25519 keys only';
  if (value.startsWith('AGE-SECRET-KEY')) return 'is a private key, not a public one: never share it; the public key starts with age1';
  if (value.startsWith('ssh-')) return 'is an SSH key; homelab-wizard encrypts to age X25519 keys (age1…) only';
  if (/^age1[a-z0-9]+1/.test(value) && !X25519_RECIPIENT_RE.test(value)) return 'is a plugin or tagged age recipient; homelab-wizard encrypts to X25519 keys (age1…) only';
  if (!X25519_RECIPIENT_RE.test(value)) return 'is not an age public key (age1 followed by 58 letters and digits)';
  return undefined;
}

function entryOf(line: string): string | undefined {
  const trimmed = line.replace(/#.*$/, '').trim();
  return trimmed === '' ? undefined : trimmed;
}

export function parseRecipients(text: string): { recipients: string[]; issues: Issue[] } {
  const recipients: string[] = [];
  const issues: Issue[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const entry = entryOf(line);
    if (entry === undefined) return;
    const problem = recipientShapeProblem(entry);
    if (problem !== undefined) issues.push({ path: `line ${index + 1}`, message: `${entry.startsWith('AGE-SECRET-KEY') ? 'this line' : entry.slice(0, 16) + '…'} ${problem}` });
    else if (!recipients.includes(entry)) recipients.push(entry);
  });
  return { recipients, issues };
}

export function recipientsFileText(recipients: readonly string[], profileName: string): string {
  return [
    `# Recipients of vault/${profileName}.age: one age public key a line. Change this list with`,
    '# `homelab-wizard secrets recipients add|remove KEY`, which re-encrypts the vault.',
    ...recipients,
    '',
  ].join('\n');
}

/** The file with one more key at the end; comments and order of the rest unchanged. */
export function withRecipient(text: string, recipient: string, comment?: string): string {
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  const note = comment !== undefined && comment.trim() !== '' ? ` # ${comment.replace(/[\r\n]+/g, ' ').trim()}` : '';
  return `${base}${recipient}${note}\n`;
}

/** The file without the lines holding `recipient`. */
export function withoutRecipient(text: string, recipient: string): string {
  return text
    .split('\n')
    .filter((line) => entryOf(line) !== recipient)
    .join('\n');
}
