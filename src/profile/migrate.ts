import { WizardError } from '../errors.js';
import { SCHEMA_VERSION } from './schema.js';

/** A migration turns a raw profile of version N into version N + 1. Pure. */
export type Migration = (raw: Record<string, unknown>) => Record<string, unknown>;

/** Keyed by the version they migrate from. Empty while version 1 is the only one ever written. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

export function migrateProfile(
  raw: Record<string, unknown>,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  current: number = SCHEMA_VERSION,
): Record<string, unknown> {
  let doc = raw;
  let version = doc['schemaVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version)) return doc; // the schema reports it
  if (version > current) {
    throw new WizardError(
      'profile-too-new',
      `the profile has schemaVersion ${version}, newer than this homelab-wizard understands (${current})`,
      'upgrade homelab-wizard (npm install homelab-wizard@latest) and run the command again',
    );
  }
  while (version < current) {
    const step = migrations[version];
    if (!step) break; // no path: the schema check reports the version
    doc = { ...step(doc), schemaVersion: version + 1 };
    version += 1;
  }
  return doc;
}
