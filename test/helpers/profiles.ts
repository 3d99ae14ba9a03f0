import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
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

/** The issue validation reports at `path` for a raw profile; fails the test when it is valid or has none there. */
export function issueAt(raw: Record<string, any>, path: string): { path: string; message: string } {
  const result = validateProfile(raw);
  expect(result.ok).toBe(false);
  const hit = result.ok ? undefined : result.issues.find((issue) => issue.path === path);
  expect(hit, `no issue at ${path}; got ${JSON.stringify(result.ok ? [] : result.issues)}`).toBeDefined();
  return hit as { path: string; message: string };
}
