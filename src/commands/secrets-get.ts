import type { CommandRunner } from '../contracts/command-runner.js';
import { WizardError } from '../errors.js';
import { keyProblem } from '../vault/keys.js';
import { shownPath } from '../vault/shown-path.js';
import { openVault } from '../vault/vault.js';
import { plural, vaultAccess } from '../session/vault-access.js';

/** Closest known key by edit distance, for "did you mean". */
export function closestKey(wanted: string, keys: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j] as number;
        row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length] as number;
  };
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(wanted.length / 4)) + 1;
  for (const key of keys) {
    const d = distance(wanted, key);
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  return best;
}

export const secretsGet: CommandRunner = async (global, io, args) => {
  const key = typeof args[0] === 'string' ? args[0] : '';
  const problem = keyProblem(key, { tool: true });
  if (problem !== undefined) throw new WizardError('secret-invalid', `key '${key.slice(0, 64)}' ${problem}`, 'use a dotted key such as api.token');
  if (global.json) throw new WizardError('usage', 'secrets get prints the bare value and has no --json form', 'drop --json; --json output never carries secret values');
  const access = await vaultAccess(global, io);
  const vault = await openVault(access.dir, access.vaultName, { identity: access.identity });
  const value = vault.get(key);
  if (value === undefined) {
    const near = closestKey(key, vault.keys());
    throw new WizardError('secret-unknown', `no secret ${key} in ${shownPath(vault.file)}`, near !== undefined ? `did you mean ${near}? \`homelab-wizard secrets show\` lists all ${plural(vault.keys().length, 'key')}` : `\`homelab-wizard secrets show\` lists the keys; \`homelab-wizard secrets set ${key}\` adds it`);
  }
  // A terminal gets a newline; a pipe gets the exact value (`secrets get k > file` keeps it byte for byte).
  io.stdout(io.interactiveTerminal ? `${value.reveal()}\n` : value.reveal());
  return 0;
};
