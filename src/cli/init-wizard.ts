import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GlobalOptions } from '../contracts/global-options.js';
import type { Io } from '../contracts/io.js';
import { ProfileError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import { listProfiles, parseYaml } from '../profile/load.js';
import { mergeProfileText } from '../profile/merge.js';
import { validateProfile } from '../profile/validate.js';
import { checkHeadscaleUrl, checkHetznerToken, checkOvhCredentials } from '../providers/live-checks.js';
import type { Draft } from '../ui/wizard/screens.js';
import { abortInit, existingVaultKeys, formSwitchLine, profileDiff, readExisting, writeInit } from '../commands/init.js';
import { identityFor } from '../session/vault-access.js';
import { problemAt, problemWithSecret, wizardCatalog, withDependencies } from '../commands/init-catalog.js';

async function defaultKey(): Promise<string | undefined> {
  for (const name of ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub']) {
    const text = await readFile(path.join(os.homedir(), '.ssh', name), 'utf8').catch(() => undefined);
    if (text) return text.trim();
  }
  return undefined;
}

/**
 * The Ink wizard, prefilled from the existing profile when there is one; then the same write as
 * --answers. It lives in cli/ because cli is what sequences a view and a flow (style.md).
 */
export async function initInteractive(global: GlobalOptions, io: Io, plainFlag: boolean): Promise<number> {
  const names = await listProfiles(global.dir);
  const name = global.profile ?? (names.length === 1 ? names[0] : undefined);
  // One identity for the whole run: a passphrase is asked at most once.
  const identity = identityFor(global, io);
  const previous = name !== undefined && names.includes(name) ? await readExisting(global, io, name, identity) : undefined;
  const vaultKeys = previous && name !== undefined ? await existingVaultKeys(global, name, identity) : undefined;
  const found = previous ? undefined : await defaultKey();
  const sshKey = previous || found ? undefined : await (await import('./ssh-key-offer.js')).offerSshKey(io);
  const draft: Draft = previous
    ? (parseYaml(previous.text, name ?? 'profile') as Draft)
    : { operator: { sshPublicKeys: [found ?? sshKey?.pair.publicKey ?? ''].filter(Boolean) }, locale: { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' } };

  const { runWizard } = await import('../ui/wizard/run-wizard.js');
  const { initialState } = await import('../ui/wizard/wizard-state.js');
  // The review's default is the form the profile has now (or --plain-profile): a re-run never switches silently.
  const currentForm = plainFlag ? 'plain' : previous?.encrypted === false ? 'plain' : 'encrypted';
  const onDisk = previous && name !== undefined ? `profiles/${name}.yaml${previous.encrypted ? '.age' : ''}` : undefined;
  const result = await runWizard({
    initial: initialState(draft, {}, {
      currentForm,
      ...(onDisk && previous?.encrypted === (currentForm === 'encrypted') ? { fileName: onDisk } : {}),
      ...(vaultKeys ? { vaultKeys } : {}),
      startAtReview: previous !== undefined,
    }),
    catalog: wizardCatalog,
    problemAt,
    problemWithSecret,
    withDependencies,
    liveCheck: async (kind, value, secrets, current, cancel) => {
      const endpoints = (current['providers'] ?? {}) as Record<string, { endpoint?: string }>;
      if (kind === 'hetzner') return checkHetznerToken(endpoints['hetzner']?.endpoint ?? 'https://api.hetzner.cloud/v1', value, cancel);
      if (kind === 'headscale') return checkHeadscaleUrl(value, cancel);
      return checkOvhCredentials(endpoints['ovh']?.endpoint ?? 'ovh-eu', String(current['domain']?.name ?? ''), {
        applicationKey: secrets['ovh.applicationKey'] ?? '',
        applicationSecret: secrets['ovh.applicationSecret'] ?? '',
        consumerKey: value,
      }, cancel);
    },
  });
  if (result === 'aborted' || result.outcome?.kind !== 'write') abortInit();

  const finalName = String(result.draft['project']?.name ?? name);
  const text = mergeProfileText(previous?.text, { schemaVersion: 1, ...stripEmpty(result.draft) });
  const validation = validateProfile(parseYaml(text, finalName));
  if (!validation.ok) {
    // The wizard validated every field; what is left spans fields. Stop, nothing written.
    throw new ProfileError('wizard answers', validation.issues, 'run init again: your answers are prefilled from the existing profile, if any');
  }
  const encrypted = result.outcome.encrypted;
  const switching = previous !== undefined && previous.encrypted !== encrypted;
  if (previous && previous.text !== text) io.stdout(profileDiff(finalName, previous.text, text));
  if (previous && switching) io.stdout(`${formSwitchLine(finalName, previous.encrypted)}\n`);
  if (previous && (previous.text !== text || switching)) {
    const { confirmKey } = await import('./key-confirm.js');
    const ok = await confirmKey(`Write these changes to ${finalName}?`, true);
    if (ok !== true) abortInit();
  }
  const secrets = new Map(Object.entries(result.secrets).map(([k, v]) => [k, Secret.of(v)]));
  await writeInit(global, io, {
    name: finalName,
    text,
    profile: validation.profile,
    encrypted,
    ...(previous ? { previous } : {}),
    secrets,
    added: [],
    ...(sshKey ? { sshKey } : {}),
  }, identity);
  return 0;
}

/** The wizard leaves empty strings for skipped optional answers; the profile leaves them out. */
function stripEmpty(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_k, v) => (v === '' ? undefined : v)));
}
