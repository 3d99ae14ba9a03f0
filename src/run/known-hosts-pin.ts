import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { hostPattern, parseKnownHosts } from '../ssh/known-hosts.js';
import { atomicWrite } from '../vault/atomic-write.js';

/**
 * Pin a server's host key in the profile's known_hosts for each port it will listen on. Lines
 * naming exactly that address and port go first: Hetzner reuses addresses, and a key left from a
 * deleted server would make the new one look like an attack.
 */
export async function pinHostKey(file: string, address: string, ports: readonly number[], publicKey: string, comment: string): Promise<void> {
  let before = '';
  try {
    before = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const names = new Set(ports.map((p) => hostPattern(address, p)));
  const [keyType, key] = publicKey.trim().split(/\s+/);
  const kept = before.split('\n').filter((line) => {
    const [entry] = parseKnownHosts(line);
    return !(entry && entry.marker === undefined && names.has(entry.patterns));
  });
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  const added = [...names].map((name) => `${name} ${keyType} ${key} ${comment}`);
  await mkdir(path.dirname(file), { recursive: true });
  await atomicWrite(file, `${[...kept, ...added].join('\n')}\n`, { mode: 0o644 });
}
