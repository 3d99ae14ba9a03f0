/**
 * Reading the outside of an age file without decrypting it: is it age at all, armored or binary,
 * cut short, and how many recipient stanzas of which type its header holds (the count an error
 * message shows when the file is not encrypted to the operator's key).
 */
export const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
export const ARMOR_END = '-----END AGE ENCRYPTED FILE-----';
export const AGE_VERSION_LINE = 'age-encryption.org/v1';

export type AgeShape = 'armored' | 'binary' | 'empty' | 'not-age';

/** `bytes` from `from` on starts with `text`, or is a beginning of it cut short. */
function matchesAscii(bytes: Uint8Array, from: number, text: string): boolean {
  const n = Math.min(bytes.length - from, text.length);
  for (let i = 0; i < n; i++) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return n > 0;
}

export function ageShape(bytes: Uint8Array): AgeShape {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (i === bytes.length) return 'empty';
  if (matchesAscii(bytes, i, ARMOR_BEGIN)) return 'armored';
  if (i === 0 && matchesAscii(bytes, 0, `${AGE_VERSION_LINE}\n`)) return 'binary';
  return 'not-age';
}

/** An armored file whose END line is missing was cut short (a partial copy, a full disk). */
export function armorLooksTruncated(text: string): boolean {
  return !text.includes(ARMOR_END);
}

/** Text after the END line (a paste gone wrong, a merge leftover): the armor itself may be intact. */
export function armorHasTrailingText(text: string): boolean {
  const end = text.indexOf(ARMOR_END);
  return end >= 0 && text.slice(end + ARMOR_END.length).trim() !== '';
}

export interface AgeHeader {
  /** The type of each recipient stanza, in order (`X25519`, `scrypt`, a plugin name...). */
  readonly stanzaTypes: readonly string[];
}

export type HeaderReading = { ok: true; header: AgeHeader } | { ok: false; truncated: boolean; reason: string };

/** Parse the header of a binary age file (after armor decoding), up to its `---` MAC line. */
export function readAgeHeader(bytes: Uint8Array): HeaderReading {
  const lines: string[] = [];
  let start = 0;
  let endedWithMac = false;
  // Headers are small; a header longer than this is damage, not data.
  const limit = Math.min(bytes.length, 1 << 20);
  for (let i = 0; i < limit; i++) {
    if (bytes[i] !== 0x0a) continue;
    const line = new TextDecoder('latin1').decode(bytes.subarray(start, i));
    lines.push(line);
    start = i + 1;
    if (line.startsWith('---')) {
      endedWithMac = true;
      break;
    }
  }
  if (lines.length === 0) return { ok: false, truncated: bytes.length < AGE_VERSION_LINE.length + 1, reason: 'no age header' };
  if (lines[0] !== AGE_VERSION_LINE) return { ok: false, truncated: false, reason: 'unknown age version line' };
  if (!endedWithMac) return { ok: false, truncated: true, reason: 'the header ends before its MAC line' };
  const stanzaTypes: string[] = [];
  for (const line of lines.slice(1, -1)) {
    if (!line.startsWith('-> ')) continue;
    const type = line.slice(3).split(' ')[0] ?? '';
    if (type === '') return { ok: false, truncated: false, reason: 'a recipient stanza has no type' };
    stanzaTypes.push(type);
  }
  if (stanzaTypes.length === 0) return { ok: false, truncated: false, reason: 'the header has no recipient stanza' };
  return { ok: true, header: { stanzaTypes } };
}

export function describeRecipients(header: AgeHeader): string {
  const n = header.stanzaTypes.length;
  if (header.stanzaTypes.every((t) => t === 'scrypt')) return 'a passphrase';
  return `${n} recipient${n === 1 ? '' : 's'}`;
}
