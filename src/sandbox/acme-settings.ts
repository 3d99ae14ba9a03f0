import { z } from 'zod';
import { dnsServer, httpsUrl, pemCertificates } from '../profile/fields.js';

/**
 * What `sandbox up --profile X --acme FILE` reads: the ACME server a replica uses instead of
 * Caddy's internal CA, so it rehearses X's own TLS mode (Let's Encrypt's staging, or a Pebble you
 * run), with the DNS servers lego asks and the OVH API endpoint for DNS-01.
 */
export const acmeSettingsSchema = z.strictObject({
  directory: httpsUrl,
  /** PEM certificates, or a file holding them (relative to the settings file). */
  roots: z.string().min(1),
  resolvers: z.array(dnsServer).min(1).optional(),
  ovhEndpoint: httpsUrl.optional(),
});

export type AcmeSettingsInput = z.infer<typeof acmeSettingsSchema>;

/** The settings with `roots` read: what the replica profile gets. */
export interface SandboxAcme {
  readonly directory: string;
  readonly roots: string;
  readonly resolvers?: readonly string[];
  readonly ovhEndpoint?: string;
}

/** `roots` as given, when it holds PEM text; else undefined (it names a file). */
export function inlineRoots(roots: string): string | undefined {
  return roots.includes('-----BEGIN CERTIFICATE-----') ? roots : undefined;
}

export const rootsSchema = pemCertificates;
