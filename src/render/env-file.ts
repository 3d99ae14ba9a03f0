import { isSecret, Secret } from '../lib/secret.js';

export type EnvValue = string | Secret;
export type EnvEntries = readonly (readonly [name: string, value: EnvValue])[];

/**
 * One value for a Compose env file, double-quoted so that every byte survives Compose's dotenv
 * parser: backslash, double quote, `$` (else it is interpolated), newline and carriage return are
 * escaped; everything else, quotes, spaces, `#` and non-ASCII letters included, is literal.
 * Checked against `docker compose config` (test/render/env-file.test.ts).
 */
export function quoteEnvValue(value: string): string {
  if (value.includes('\0')) throw new Error('an environment value cannot contain a NUL byte');
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `"${escaped}"`;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The whole file; a Secret as soon as one value is secret, so it is written 0600 and never diffed. */
export function renderEnvFile(entries: EnvEntries): string | Secret {
  const lines = entries.map(([name, value]) => {
    if (!NAME_RE.test(name)) throw new Error(`invalid environment variable name ${name}`);
    return `${name}=${quoteEnvValue(isSecret(value) ? value.reveal() : value)}`;
  });
  const text = `# written by homelab-wizard; edits are reported as drift and replaced on the next deploy\n${lines.join('\n')}\n`;
  return entries.some(([, value]) => isSecret(value)) ? Secret.of(text) : text;
}
