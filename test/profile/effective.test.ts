import { describe, expect, it } from 'vitest';
import { effectiveService, rewriteImage } from '../../src/profile/effective.js';
import { migrateProfile } from '../../src/profile/migrate.js';
import { validateProfile } from '../../src/profile/validate.js';
import { WizardError } from '../../src/errors.js';
import { exampleProfile } from '../helpers/profiles.js';

describe('effective services', () => {
  it('rewrites every image onto images.registry', () => {
    expect(rewriteImage('caddy', '2.10.2-alpine', 'mirror.example.com')).toBe('mirror.example.com/library/caddy:2.10.2-alpine');
    expect(rewriteImage('grafana/loki', '3.6.5', 'mirror.example.com/hub')).toBe('mirror.example.com/hub/grafana/loki:3.6.5');
    expect(rewriteImage('ghcr.io/berriai/litellm', 'v1', 'registry.example.com:5000')).toBe('registry.example.com:5000/berriai/litellm:v1');
    expect(rewriteImage('redis', '8.0-bookworm', undefined)).toBe('redis:8.0-bookworm');
  });

  it('applies per-service overrides and the access mode', () => {
    const raw = exampleProfile('vpai');
    const result = validateProfile(raw);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const n8n = effectiveService(result.profile, { name: 'n8n', subdomain: 'mayi', version: '2.8.0' });
    expect(n8n).toMatchObject({ image: 'docker.n8n.io/n8nio/n8n:2.8.0', subdomain: 'mayi', vpnOnly: true, memoryLimit: '1024M' });
    const couch = effectiveService(result.profile, { name: 'couchdb', vpnOnly: false });
    expect(couch.vpnOnly).toBe(false);
  });
});

describe('schemaVersion migration hook', () => {
  it('runs the migrations from an older version up to the current one', () => {
    const migrated = migrateProfile({ schemaVersion: 1, old: 'x' }, { 1: ({ old, ...rest }) => ({ ...rest, renamed: old }) }, 2);
    expect(migrated).toEqual({ schemaVersion: 2, renamed: 'x' });
  });

  it('refuses a profile written by a newer homelab-wizard, with a hint to upgrade', () => {
    expect(() => migrateProfile({ schemaVersion: 9 })).toThrow(WizardError);
    expect(() => migrateProfile({ schemaVersion: 9 })).toThrow(/newer than this homelab-wizard/);
  });
});
