import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { mergeProfileText } from '../../src/profile/merge.js';
import { REPO } from '../helpers/profiles.js';

const existing = `# my notes
schemaVersion: 1
x-owner: me
project:
  name: home # the name
  legacyKey: keep
hosts:
  - name: vps
    address: 203.0.113.10
    x-rack: 3
    services: [docker, { name: n8n, subdomain: auto }]
`;

describe('merging answers into an existing profile', () => {
  const merged = mergeProfileText(existing, {
    project: { name: 'home', displayName: 'Home' },
    hosts: [
      { name: 'vps', address: '203.0.113.11', services: ['docker', 'n8n', 'redis'] },
      { name: 'nas', services: [] },
    ],
  });
  const doc = parse(merged);

  it('never drops keys it does not know, nor comments', () => {
    expect(doc['x-owner']).toBe('me');
    expect(doc.project.legacyKey).toBe('keep');
    expect(doc.hosts[0]['x-rack']).toBe(3);
    expect(merged).toContain('# my notes');
    expect(merged).toContain('# the name');
  });

  it('applies the answers, matching hosts by name and keeping service overrides', () => {
    expect(doc.project.displayName).toBe('Home');
    expect(doc.hosts[0].address).toBe('203.0.113.11');
    expect(doc.hosts[0].services).toEqual(['docker', { name: 'n8n', subdomain: 'auto' }, 'redis']);
    expect(doc.hosts[1]).toEqual({ name: 'nas', services: [] });
  });

  it('writes the schema header into a new profile', () => {
    const text = mergeProfileText(undefined, { schemaVersion: 1, project: { name: 'x' } });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./homelab-wizard.schema.json');
    expect(parse(text)).toEqual({ schemaVersion: 1, project: { name: 'x' } });
  });
});

describe('re-writing an unchanged profile', () => {
  it.each(['minimal', 'vpai'])('gives back the %s example byte for byte, flow lists in their own style', (name) => {
    const text = readFileSync(path.join(REPO, `profiles/${name}.yaml`), 'utf8');
    expect(mergeProfileText(text, { schemaVersion: 1, ...(parse(text) as Record<string, unknown>) })).toBe(text);
  });
});

describe('a profile the wizard writes', () => {
  it('has its keys in the order of the examples, whatever order the answers came in', () => {
    const text = mergeProfileText(undefined, {
      operator: { sshPublicKeys: ['k'] },
      locale: { timezone: 'UTC' },
      hosts: [{ provider: { kind: 'existing' }, ssh: { user: 'root', port: 22 }, services: ['docker'], name: 'vps', role: 'app-server', address: '203.0.113.10' }],
      project: { name: 'home' },
      schemaVersion: 1,
      domain: { name: 'example.com' },
    });
    const keys = (t: string, indent: string) => t.split('\n').filter((l) => new RegExp(`^${indent}[a-zA-Z]+:`).test(l)).map((l) => l.trim().split(':')[0]);
    expect(keys(text, '')).toEqual(['schemaVersion', 'project', 'domain', 'operator', 'hosts', 'locale']);
    expect(text).toMatch(/- name: vps\n    role: app-server\n    address: 203.0.113.10\n    ssh:\n      port: 22\n      user: root\n    provider:/);
  });
});
