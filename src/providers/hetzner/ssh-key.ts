import { createHash } from 'node:crypto';

/** MD5 of the key blob in colon-hex form: how the Hetzner API names an SSH key (`?fingerprint=`). */
export function md5Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? '', 'base64');
  return (createHash('md5').update(blob).digest('hex').match(/../g) ?? []).join(':');
}

/** The name an uploaded operator key gets: unique per key, recognisable in the Console. */
export function sshKeyName(publicKey: string): string {
  return `homelab-wizard-${md5Fingerprint(publicKey).replace(/:/g, '').slice(0, 12)}`;
}
