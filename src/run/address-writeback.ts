import { isMap, isSeq, parseDocument } from 'yaml';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { WizardError } from '../errors.js';
import { parseYaml } from '../profile/load.js';
import { validateProfile } from '../profile/validate.js';
import { unifiedDiff } from '../plan/unified-diff.js';
import type { IdentityProvider } from '../vault/identity.js';
import { profileDecryptor, writeProfileFile } from '../vault/profile-file.js';
import { loadProfile } from '../session/load-profile.js';

/**
 * The address of each provisioned host into the profile: the YAML is edited in place (comments
 * and order kept), validated, shown as a diff and written atomically in the form it had (plain or
 * encrypted), keeping `.bak`.
 */
export async function writeBackAddresses(global: GlobalOptions, io: Io, identity: IdentityProvider, addresses: ReadonlyMap<string, string>): Promise<void> {
  await writeBackHostField(global, io, identity, 'address', addresses);
}

/** The same for any address field of the hosts: `address` (provision) or `tailscaleIp` (vpn). */
export async function writeBackHostField(global: GlobalOptions, io: Io, identity: IdentityProvider, field: 'address' | 'tailscaleIp', values: ReadonlyMap<string, string>): Promise<void> {
  const { loaded } = await loadProfile(global, { io, decrypt: profileDecryptor(identity) });
  const doc = parseDocument(loaded.text);
  const hosts = doc.get('hosts');
  if (!isSeq(hosts)) throw new WizardError('profile-invalid', `${loaded.file}: hosts is not a list`, 'fix the profile, then run apply again');
  for (const [name, value] of values) {
    const item = hosts.items.find((h) => isMap(h) && h.get('name') === name);
    if (!isMap(item)) throw new WizardError('profile-invalid', `${loaded.file}: no host '${name}' to write its ${field} ${value} into`, `add ${field}: ${value} to host ${name} by hand`);
    item.set(field, value);
  }
  const after = doc.toString({ lineWidth: 0 });
  const check = validateProfile(parseYaml(after, loaded.file));
  if (!check.ok) throw new WizardError('internal', `the profile with the new ${field} values does not validate: ${JSON.stringify(check.issues).slice(0, 200)}`, `this is a bug in homelab-wizard; set ${field} by hand and report it`);
  const shown = `profiles/${loaded.name}.yaml${loaded.encrypted ? '.age' : ''}`;
  const what = field === 'address' ? `address${values.size === 1 ? '' : 'es'}` : `VPN address${values.size === 1 ? '' : 'es'} (${field})`;
  io.stderr(`Writing the ${what} into ${shown}${loaded.encrypted ? ' (encrypted; decrypted diff)' : ''}:\n${unifiedDiff(loaded.text, after, { before: `${shown} (before)`, after: `${shown} (after)` })}`);
  await writeProfileFile(global.dir, loaded.name, after, { encrypted: loaded.encrypted, ...(loaded.encrypted ? { identity } : {}) });
}
