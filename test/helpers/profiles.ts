import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const REPO = new URL('../..', import.meta.url).pathname;

/** A fresh, mutable copy of an example profile. */
export function exampleProfile(name: 'minimal' | 'vpai'): Record<string, any> {
  return parse(readFileSync(`${REPO}profiles/${name}.yaml`, 'utf8'));
}
