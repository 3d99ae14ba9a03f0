import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Profile } from '../../src/profile/schema.js';
import { validateProfile } from '../../src/profile/validate.js';

export const REPO = new URL('../..', import.meta.url).pathname;

/** A fresh, mutable copy of an example profile. */
export function exampleProfile(name: 'minimal' | 'vpai'): Record<string, any> {
  return parse(readFileSync(`${REPO}profiles/${name}.yaml`, 'utf8'));
}

/** An example profile, optionally changed first, validated: the effective profile with defaults. */
export function validExample(name: 'minimal' | 'vpai', mutate: (raw: Record<string, any>) => void = () => undefined): Profile {
  const raw = exampleProfile(name);
  mutate(raw);
  const result = validateProfile(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.profile;
}
