import { withDependencies } from '../catalog/catalog.js';
import type { Issue } from '../errors.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * An answers file is the wizard's questions answered in YAML: the profile's own structure (so an
 * answer's key is the profile path it fills), plus a few conveniences:
 *   - services per host may leave out dependencies: they are added, with the reason recorded;
 *   - `operator.sshPublicKeyFiles`: public key files to read (e.g. ~/.ssh/id_ed25519.pub);
 *   - `operator.createSshKey`: `true`, or `{ passphraseEnv: NAME }` for a passphrase read from the
 *     environment: create an ed25519 key where a listed public key file (else
 *     `operator.identityFile`) does not exist yet (the `--create-ssh-key` flag does the same);
 *   - `secrets`: external secrets, each a value or `{ env: NAME }` to read from the environment;
 *   - `output.encryptedProfile`: false writes a plain profile.
 * Pure: reading key files and the environment is the caller's job.
 */
export interface Answers {
  /** The profile document the answers describe, without the answers-only keys. */
  readonly profile: Record<string, unknown>;
  readonly sshPublicKeyFiles: readonly string[];
  /** Create a missing SSH key; `passphraseEnv` names the variable that holds its passphrase. */
  readonly createSshKey?: { readonly passphraseEnv?: string };
  readonly secrets: ReadonlyMap<string, { value: string } | { env: string }>;
  readonly encryptedProfile: boolean | undefined;
  /** Dependencies added to hosts' service lists: `hosts[0].services: docker (needed by n8n)`. */
  readonly added: readonly string[];
}

const SECRET_KEY_RE = /^[a-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseAnswers(raw: unknown): { ok: true; answers: Answers } | { ok: false; issues: Issue[] } {
  if (!isRecord(raw)) return { ok: false, issues: [{ path: '(top level)', message: 'must be a YAML mapping (key: value lines)' }] };
  const issues: Issue[] = [];
  const { secrets: rawSecrets, output, ...rest } = raw;
  const profile: Record<string, unknown> = { schemaVersion: SCHEMA_VERSION, ...rest };

  const secrets = new Map<string, { value: string } | { env: string }>();
  if (rawSecrets !== undefined && !isRecord(rawSecrets)) issues.push({ path: 'secrets', message: 'must be a mapping of secret keys to values' });
  for (const [key, value] of Object.entries(isRecord(rawSecrets) ? rawSecrets : {})) {
    if (!SECRET_KEY_RE.test(key)) issues.push({ path: `secrets.${key}`, message: 'is not a secret key (dotted, e.g. hetzner.token)' });
    else if (typeof value === 'string' && value !== '') secrets.set(key, { value });
    else if (isRecord(value) && typeof value['env'] === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value['env'])) secrets.set(key, { env: value['env'] });
    else issues.push({ path: `secrets.${key}`, message: 'must be a non-empty string or { env: VARIABLE_NAME }' });
  }

  let encryptedProfile: boolean | undefined;
  if (output !== undefined) {
    if (!isRecord(output) || (output['encryptedProfile'] !== undefined && typeof output['encryptedProfile'] !== 'boolean')) {
      issues.push({ path: 'output.encryptedProfile', message: 'must be true or false' });
    } else if (typeof output['encryptedProfile'] === 'boolean') encryptedProfile = output['encryptedProfile'];
  }

  let sshPublicKeyFiles: string[] = [];
  let createSshKey: Answers['createSshKey'];
  if (isRecord(profile['operator'])) {
    const { sshPublicKeyFiles: files, createSshKey: create, ...operator } = profile['operator'];
    if (create === true) createSshKey = {};
    else if (isRecord(create) && Object.keys(create).every((k) => k === 'passphraseEnv') && (create['passphraseEnv'] === undefined || (typeof create['passphraseEnv'] === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(create['passphraseEnv'])))) {
      createSshKey = typeof create['passphraseEnv'] === 'string' ? { passphraseEnv: create['passphraseEnv'] } : {};
    } else if (create !== undefined && create !== false) issues.push({ path: 'operator.createSshKey', message: 'must be true, false or { passphraseEnv: VARIABLE_NAME }' });
    if (files !== undefined) {
      if (Array.isArray(files) && files.every((f) => typeof f === 'string' && f !== '')) sshPublicKeyFiles = files as string[];
      else issues.push({ path: 'operator.sshPublicKeyFiles', message: 'must be a list of file paths' });
    }
    profile['operator'] = { ...operator, sshPublicKeys: Array.isArray(operator['sshPublicKeys']) ? operator['sshPublicKeys'] : [] };
  }

  const added: string[] = [];
  if (Array.isArray(profile['hosts'])) {
    profile['hosts'] = profile['hosts'].map((host, i) => {
      if (!isRecord(host) || !Array.isArray(host['services'])) return host;
      const services = host['services'] as unknown[];
      const names = services.map((s) => (typeof s === 'string' ? s : isRecord(s) && typeof s['name'] === 'string' ? s['name'] : undefined));
      const complete = withDependencies(names.filter((n): n is string => n !== undefined));
      const extra = complete.filter((d) => !names.includes(d.id));
      for (const d of extra) added.push(`hosts[${i}].services: ${d.id} (needed by ${d.requiredBy})`);
      return { ...host, services: [...extra.map((d) => d.id), ...services] };
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, answers: { profile, sshPublicKeyFiles, ...(createSshKey ? { createSshKey } : {}), secrets, encryptedProfile, added } };
}
