import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { renderRelease, type Release } from '../../src/render/release.js';
import { validExample } from './profiles.js';

/** A value with every character a shell, Compose or an env-file parser could take for syntax. */
export const NASTY = `p@ss "dq" 'sq' $HOME \${X} $$ \\back\\slash\\ spaces  héllo ✓ #hash end"`;

/**
 * A vault stand-in where every secret the catalogue knows has the same nasty value, the provider
 * keys included: vpai's LiteLLM has a model of every provider, and a model's key is needed
 * (test/render/litellm-config.test.ts covers an absent optional key).
 */
export const allSecrets = (key: string): Secret | undefined => Secret.of(`${NASTY}-${key}`);

/** The release an example profile renders for one of its hosts. */
export function release(name: 'minimal' | 'vpai', host = 0, secret = allSecrets): Release {
  const profile = validExample(name);
  return renderRelease({ profile, host: profile.hosts[host]!, projectDir: `/opt/homelab/${profile.project.name}`, secret });
}

/** Writes a release's files into a new temporary folder, as they would be on a host. */
export function writeRelease(r: Release): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-release-'));
  for (const f of r.files) {
    mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    writeFileSync(path.join(dir, f.path), isSecret(f.content) ? f.content.reveal() : f.content, { mode: Number.parseInt(f.mode, 8) });
  }
  return dir;
}
