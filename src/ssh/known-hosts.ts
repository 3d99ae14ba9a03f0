import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fingerprintSha256, keyTypeOf } from './fingerprint.js';

/** How known_hosts names a host: `addr` on port 22, `[addr]:port` otherwise (OpenSSH's rule). */
export function hostPattern(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export interface KnownHostEntry {
  readonly marker?: '@revoked' | '@cert-authority';
  readonly patterns: string;
  readonly keyType: string;
  readonly key: Buffer;
}

/** Parse OpenSSH known_hosts text: plain and hashed (`|1|salt|mac`) names, comments, markers. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [patterns, keyType, key] = fields;
    if (!patterns || !keyType || !key) continue;
    entries.push({ ...(marker ? { marker } : {}), patterns, keyType, key: Buffer.from(key, 'base64') });
  }
  return entries;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Does one host-pattern field of known_hosts name `name`? Handles hashes, lists, wildcards and `!` negation. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, mac] = patterns.split('|');
    if (!salt || !mac) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === mac;
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(glob).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyStatus =
  | { readonly status: 'known' }
  | { readonly status: 'unknown'; readonly fingerprint: string; readonly keyType: string }
  | { readonly status: 'changed'; readonly fingerprint: string; readonly keyType: string; readonly expected: readonly string[] }
  | { readonly status: 'revoked'; readonly fingerprint: string; readonly keyType: string };

/** What known_hosts says about the key a host presented. */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, blob: Buffer): HostKeyStatus {
  const fingerprint = fingerprintSha256(blob);
  const keyType = keyTypeOf(blob);
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  if (mine.some((e) => e.marker === '@revoked' && e.key.equals(blob))) return { status: 'revoked', fingerprint, keyType };
  const plain = mine.filter((e) => e.marker === undefined);
  if (plain.some((e) => e.key.equals(blob))) return { status: 'known' };
  if (plain.length === 0) return { status: 'unknown', fingerprint, keyType };
  return { status: 'changed', fingerprint, keyType, expected: plain.map((e) => `${e.keyType} ${fingerprintSha256(e.key)}`) };
}

/** Key types known for a host, so the handshake asks for those first (OpenSSH does the same). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && patternsMatch(e.patterns, name)).map((e) => e.keyType))];
}

/** The profile's known_hosts file (`profiles/<profile>.known_hosts`). */
export class KnownHostsFile {
  private entries: KnownHostEntry[] | undefined;

  constructor(readonly file: string) {}

  async load(): Promise<KnownHostEntry[]> {
    if (this.entries) return this.entries;
    try {
      this.entries = parseKnownHosts(await readFile(this.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.entries = [];
    }
    return this.entries;
  }

  /** Trust a key from now on: appended in plain OpenSSH format, so `ssh -o UserKnownHostsFile=…` reads it too. */
  async add(name: string, blob: Buffer, comment: string): Promise<void> {
    const entries = await this.load();
    let before = '';
    try {
      before = await readFile(this.file, 'utf8');
    } catch {
      before = '';
    }
    // Never glue the new entry onto a last line that lacks its newline.
    const line = `${before !== '' && !before.endsWith('\n') ? '\n' : ''}${name} ${keyTypeOf(blob)} ${blob.toString('base64')} ${comment}\n`;
    await mkdir(path.dirname(this.file), { recursive: true });
    await appendFile(this.file, line, { mode: 0o644 });
    entries.push({ patterns: name, keyType: keyTypeOf(blob), key: blob });
  }
}
