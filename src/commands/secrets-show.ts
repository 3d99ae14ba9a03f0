import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { knownSecret, missingGenerated, missingRequired } from '../vault/generate.js';
import { FINGERPRINT_SALT_KEY, REDEPLOY_KEY } from '../vault/keys.js';
import { shownPath } from '../vault/shown-path.js';
import { openVault } from '../vault/vault.js';
import { serialiseVault } from '../vault/vault-yaml.js';
import { profileDecryptor } from '../vault/profile-file.js';
import { loadProfile } from '../session/load-profile.js';
import { plural, vaultAccess } from '../session/vault-access.js';

export const secretsShow: CommandRunner = async (global, io, _args, options) => {
  const reveal = options['reveal'] === true;
  if (reveal && global.json) throw new WizardError('usage', '--reveal cannot be combined with --json', '--json output never carries secret values; use `secrets show --reveal` or `secrets get KEY`');
  const access = await vaultAccess(global, io);
  const vault = await openVault(access.dir, access.vaultName, { identity: access.identity });
  const keys = vault.keys();
  let missing: { key: string; generated: boolean; service?: string }[] = [];
  try {
    const { profile } = await loadProfile({ ...global, profile: access.profileName }, { io, decrypt: profileDecryptor(access.identity) });
    missing = [
      ...missingGenerated(profile, keys).map((g) => ({ key: g.spec.key, generated: true, ...(g.service ? { service: g.service } : {}) })),
      ...missingRequired(profile, keys).map((k) => ({ key: k.spec.key, generated: false, ...(k.service ? { service: k.service } : {}) })),
    ];
  } catch {
    // An unreadable or invalid profile does not hide the vault; `profile check` reports it.
  }
  const rows = keys.map((key) => {
    const known = knownSecret(key);
    return { key, fingerprint: vault.fingerprint(key) ?? null, service: known?.service ?? null, immutable: known?.spec.immutable === true, generated: known?.spec.generate !== undefined };
  });
  const redeploy = vault.pendingRedeploy();
  const file = shownPath(vault.file);
  if (global.json) {
    io.stdout(`${JSON.stringify({ vault: file, recipients: vault.recipientCount, secrets: rows, redeploy, missing }, null, 2)}\n`);
    return 0;
  }
  io.stdout(`${file}: ${plural(keys.length, 'secret')}, encrypted to ${plural(vault.recipientCount, 'recipient')}\n`);
  if (reveal) {
    const plain = new Map(keys.map((k) => [k, vault.get(k)!] as const));
    if (keys.length > 0) io.stdout(serialiseVault(plain));
  } else if (rows.length > 0) {
    const width = Math.max(...rows.map((r) => r.key.length), 3);
    io.stdout(`${'KEY'.padEnd(width)}  FINGERPRINT   SERVICE\n`);
    for (const r of rows) {
      const notes = [r.service ?? '-', r.immutable ? '(immutable)' : ''].filter(Boolean).join(' ');
      io.stdout(`${r.key.padEnd(width)}  ${(r.fingerprint ?? '-').padEnd(12)}  ${notes}\n`);
    }
    if (vault.get(FINGERPRINT_SALT_KEY) === undefined) io.stdout('(no fingerprints: this vault has no salt yet; it gets one on its next change)\n');
  }
  if (redeploy.length > 0) io.stdout(`redeploy needed: ${redeploy.join(', ')} (their secrets changed since the last deploy; ${REDEPLOY_KEY})\n`);
  const generated = missing.filter((m) => m.generated).map((m) => m.key);
  const supplied = missing.filter((m) => !m.generated).map((m) => m.key);
  if (generated.length > 0) io.stdout(`not generated yet: ${generated.join(', ')} (homelab-wizard secrets set KEY --generate)\n`);
  if (supplied.length > 0) io.stdout(`missing, supplied by you: ${supplied.join(', ')} (homelab-wizard secrets set KEY)\n`);
  return 0;
};
