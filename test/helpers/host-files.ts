import { isSecret, Secret } from '../../src/lib/secret.js';
import type { Profile } from '../../src/profile/schema.js';
import { PHASES } from '../../src/steps/phases.js';
import { hostSteps, type StepContext } from '../../src/steps/registry.js';
import { sandboxProfile } from '../../src/sandbox/sandbox-profile.js';
import { validateProfile } from '../../src/profile/validate.js';
import { exampleProfile, validExample } from './profiles.js';

/** Every generated secret present, as after `init`. */
export const STAND_IN_VAULT: StepContext = { secret: (key) => Secret.of(`stand-in value of ${key}`) };

/**
 * The example profiles and variants that take every branch of the text configuration files
 * (TLS modes, VPN-only access, a display name that needs quoting).
 */
export const FILE_VARIANTS: Readonly<Record<string, () => Profile>> = {
  minimal: () => validExample('minimal'),
  vpai: () => validExample('vpai'),
  'minimal-internal-tls': () => validExample('minimal', (p) => { p['domain'].tls = 'internal'; }),
  'minimal-acme-dns-ovh': () => validExample('minimal', (p) => { p['domain'].tls = 'acme-dns-ovh'; p['domain'].dnsProvider = 'ovh'; p['domain'].acmeEmail = 'acme@example.com'; }),
  'minimal-quoted-name': () => validExample('minimal', (p) => { p['project'].displayName = 'Ada\'s "lab" \\ 1'; }),
  'minimal-sandbox': () => sandboxed('minimal'),
  'vpai-sandbox': () => sandboxed('vpai'),
  'minimal-nopasswd-same-port': () => validExample('minimal', (p) => { p['hosts'][0].ssh.targetPort = 22; p['hosts'][0].ssh.sudo = 'nopasswd'; }),
};

/** An example as the e2e files run it: `sandbox up --profile` of it, at documentation addresses. */
function sandboxed(name: 'minimal' | 'vpai'): Profile {
  const raw = exampleProfile(name);
  const hosts = (raw['hosts'] as { name: string }[]).map((h, i) => ({ host: h.name, address: `198.51.100.${10 + i}` }));
  const result = validateProfile(sandboxProfile(raw, name, hosts, { publicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2nXyIHvA0Tt6YtYvLZ2dHAnjB4vkDT5fZ4m0Yz3pJq sandbox@example.com'] }));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.profile;
}

/** `variant/host/step/path` → the content every step of every phase would write (secrets revealed). */
export function hostFiles(profile: Profile, variant: string, context: StepContext = STAND_IN_VAULT): Record<string, string> {
  const out: Record<string, string> = {};
  for (const host of profile.hosts) {
    for (const step of hostSteps(profile, host, PHASES, context)) {
      for (const file of step.files ?? []) out[`${variant}/${host.name}/${step.id}/${file.path}`] = isSecret(file.content) ? file.content.reveal() : file.content;
    }
  }
  return out;
}
