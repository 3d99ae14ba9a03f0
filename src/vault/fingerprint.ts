import { createHmac } from 'node:crypto';
import type { Secret } from '../lib/secret.js';

/**
 * A short fingerprint of a value, for `secrets show`: enough to see that a value changed or that
 * two keys share one, useless for guessing it. Keyed with the vault's own random salt, so someone
 * who sees the fingerprint but not the vault cannot test candidate passwords against it.
 */
export function fingerprint(salt: Secret, value: Secret): string {
  return createHmac('sha256', salt.reveal()).update(value.reveal()).digest('hex').slice(0, 12);
}
