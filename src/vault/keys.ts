/**
 * Vault keys: dotted names such as `n8n.encryptionKey` or `api.token`. The `homelab-wizard.`
 * namespace is reserved for records the tool keeps inside the vault itself (which services must be
 * redeployed, the salt of the fingerprints): the tool may write it, an operator may not.
 */
export const KEY_RE = /^[a-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;
export const MAX_KEY_LENGTH = 128;

export const RESERVED_PREFIX = 'homelab-wizard.';
/** Services whose secrets changed since their last deploy (space-separated service ids). */
export const REDEPLOY_KEY = 'homelab-wizard.redeploy';
/** Random salt of the fingerprints `secrets show` prints, so a fingerprint cannot be brute-forced offline. */
export const FINGERPRINT_SALT_KEY = 'homelab-wizard.fingerprintSalt';
const TOOL_KEYS: ReadonlySet<string> = new Set([REDEPLOY_KEY, FINGERPRINT_SALT_KEY]);

export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}

/**
 * What is wrong with a key, or undefined when it is fine. `tool: true` is for the tool's own
 * writes, which may use the reserved records (and only those).
 */
export function keyProblem(key: string, options: { tool?: boolean } = {}): string | undefined {
  if (key.length === 0) return 'is empty';
  if (key.length > MAX_KEY_LENGTH) return `is longer than ${MAX_KEY_LENGTH} characters`;
  if (!KEY_RE.test(key)) return 'must be dotted like service.name: a lowercase letter first, then letters, digits, _ or -, with at least one dot and no empty part';
  if (isReservedKey(key)) {
    if (options.tool === true && TOOL_KEYS.has(key)) return undefined;
    return `is reserved for homelab-wizard's own records (keys starting with ${RESERVED_PREFIX})`;
  }
  return undefined;
}
