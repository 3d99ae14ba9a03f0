import type { Issue } from '../errors.js';

/**
 * The operator's identity file, in the format of `age-keygen` so the `age` CLI reads it with `-i`:
 *
 *   # created: 2026-11-25T19:40:00Z
 *   # public key: age1…
 *   AGE-SECRET-KEY-1…
 *
 * Problems name lines, never their content: a damaged key line is still a secret.
 */
export const SECRET_KEY_RE = /^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/;

export function identityFileText(secretKey: string, publicKey: string, createdIso: string): string {
  return `# created: ${createdIso}\n# public key: ${publicKey}\n${secretKey}\n`;
}

export type IdentityParse = { ok: true; keys: string[] } | { ok: false; issues: Issue[] };

export function parseIdentityText(text: string): IdentityParse {
  if (/-----BEGIN (OPENSSH|RSA|EC|DSA)? ?PRIVATE KEY-----/.test(text)) {
    return { ok: false, issues: [{ path: '(file)', message: 'is an SSH private key; homelab-wizard uses age identities (`homelab-wizard keys init` or `age-keygen`)' }] };
  }
  const keys: string[] = [];
  const issues: Issue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = `line ${index + 1}`;
    if (line.startsWith('AGE-SECRET-KEY-PQ-')) issues.push({ path: at, message: 'is a post-quantum identity; homelab-wizard uses X25519 identities (age 1.1 cannot read post-quantum files)' });
    else if (line.startsWith('AGE-PLUGIN-')) issues.push({ path: at, message: 'is a plugin identity; homelab-wizard cannot run age plugins' });
    else if (!SECRET_KEY_RE.test(line)) issues.push({ path: at, message: 'is not an age identity (AGE-SECRET-KEY-1 followed by 58 letters and digits)' });
    else if (!keys.includes(line)) keys.push(line);
  });
  if (issues.length > 0) return { ok: false, issues };
  if (keys.length === 0) return { ok: false, issues: [{ path: '(file)', message: 'holds no AGE-SECRET-KEY-1… line' }] };
  return { ok: true, keys };
}

/** The `# public key:` comment, readable without unlocking anything. */
export function publicKeyComment(text: string): string | undefined {
  return /^# public key: (age1[a-z0-9]+)\s*$/m.exec(text)?.[1];
}
