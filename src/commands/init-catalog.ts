import { PROVIDER_KEY, type LitellmProvider } from '../profile/litellm-schema.js';
import { hardeningBaseline } from '../catalog/baseline.js';
import { CATALOG, findService, withDependencies } from '../catalog/catalog.js';
import { EXTERNAL_SECRETS, needsS3Keys } from '../catalog/external-secrets.js';
import type { SecretSpec } from '../catalog/types.js';
import type { Draft, Path, WizardCatalog } from '../ui/wizard/screens.js';
import { formatPath, validateProfile } from '../profile/validate.js';

const hostsOf = (draft: Draft): Draft[] => (Array.isArray(draft['hosts']) ? draft['hosts'] : []);
const serviceIds = (draft: Draft): string[] =>
  [...new Set(hostsOf(draft).flatMap((h) => (h['services'] ?? []).map((s: any) => (typeof s === 'string' ? s : s?.name))))].filter(Boolean);

/** External secrets the draft's choices call for, required ones first. */
export function externalSecretsFor(draft: Draft): SecretSpec[] {
  const out: SecretSpec[] = [];
  if (hostsOf(draft).some((h) => h['provider']?.['kind'] === 'hetzner')) out.push(...EXTERNAL_SECRETS.hetzner);
  if (draft['domain']?.dnsProvider === 'ovh' || draft['domain']?.tls === 'acme-dns-ovh') out.push(...EXTERNAL_SECRETS.ovh);
  const method = draft['notifications']?.method;
  if (method === 'telegram') out.push(...EXTERNAL_SECRETS.telegram);
  if (method === 'webhook') out.push(...EXTERNAL_SECRETS.webhook);
  if (needsS3Keys(draft, serviceIds(draft))) out.push(...EXTERNAL_SECRETS.backups);
  hostsOf(draft).forEach((h) => {
    if (h['ssh']?.sudo === 'password') out.push({ key: `hosts.${h['name']}.sudoPassword`, description: `sudo password of ${h['ssh']?.adminUser ?? 'the admin user'} on ${h['name']}`, required: true });
  });
  // A model provider's key is asked where a LiteLLM model of the draft uses that provider, and then it is needed.
  const providerKeys = new Set<string>(Object.values(PROVIDER_KEY));
  const models: { provider?: string }[] = Array.isArray(draft['litellm']?.models) ? draft['litellm'].models : [];
  const used = new Set(models.map((m) => PROVIDER_KEY[m.provider as LitellmProvider]).filter((k) => k !== undefined));
  for (const id of serviceIds(draft)) {
    for (const s of findService(id)?.secrets ?? []) {
      if (s.generate) continue;
      if (!providerKeys.has(s.key)) out.push(s);
      else if (used.has(s.key)) out.push({ ...s, required: true });
    }
  }
  return out;
}

export function internalSecretsFor(draft: Draft): SecretSpec[] {
  return serviceIds(draft).flatMap((id) => (findService(id)?.secrets ?? []).filter((s) => s.generate));
}

const LIVE: Record<string, 'hetzner' | 'ovh'> = { 'hetzner.token': 'hetzner', 'ovh.consumerKey': 'ovh' };

export const wizardCatalog: WizardCatalog = {
  servicesForRole: (role) =>
    CATALOG.filter((e) => e.roles.includes(role as never)).map((e) => ({ label: `${e.id} — ${e.description}`, value: e.id })),
  baselineForRole: (role, vpn) => hardeningBaseline(role, vpn),
  internalSecrets: (draft) => internalSecretsFor(draft).map((s) => ({ key: s.key, description: s.description })),
  externalSecrets: (draft) =>
    externalSecretsFor(draft).map((s) => ({ key: s.key, description: s.description, optional: s.required !== true, ...(LIVE[s.key] ? { liveCheck: LIVE[s.key] } : {}) })),
};

/** The schema's verdict on one path of a draft: the first problem at or under it. */
export function problemAt(draft: Draft, path: Path): string | undefined {
  const result = validateProfile(draft);
  if (result.ok) return undefined;
  const at = formatPath(path);
  const hit = result.issues.find((i) => i.path === at || i.path.startsWith(`${at}.`) || i.path.startsWith(`${at}[`));
  return hit ? `${hit.path === at ? '' : `${hit.path.slice(at.length).replace(/^\./, '')}: `}${hit.message}` : undefined;
}

export function problemWithSecret(key: string, value: string): string | undefined {
  const spec = [...Object.values(EXTERNAL_SECRETS).flat(), ...CATALOG.flatMap((e) => e.secrets)].find((s) => s.key === key) as SecretSpec | undefined;
  if (!spec?.shape) return undefined;
  if (new RegExp(spec.shape.pattern).test(value)) return undefined;
  // Never the value itself (a secret): its length is enough to spot a short or doubled paste.
  const what = spec.description.replace(/ \([^)]*\)$/, '');
  return `expected ${spec.shape.example} for the ${what}; got ${value.length} character${value.length === 1 ? '' : 's'} (check the paste)`;
}

export { withDependencies };
