import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAnswers } from '../../src/profile/answers.js';
import { validateProfile } from '../../src/profile/validate.js';
import { exampleProfile, REPO } from '../helpers/profiles.js';

const sortServices = (p: any): any => ({ ...p, hosts: p.hosts.map((h: any) => ({ ...h, services: [...h.services].sort() })) });

describe('answers files', () => {
  it('the shipped example builds the minimal profile', () => {
    const parsed = parseAnswers(parse(readFileSync(`${REPO}profiles/answers.example.yaml`, 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const built = validateProfile(parsed.answers.profile);
    const minimal = validateProfile(exampleProfile('minimal'));
    if (!built.ok || !minimal.ok) throw new Error('invalid');
    expect(sortServices(built.profile)).toEqual(sortServices(minimal.profile));
    expect(parsed.answers.added).toEqual([
      'hosts[0].services: docker (needed by n8n)',
      'hosts[0].services: caddy (needed by n8n)',
      'hosts[0].services: postgresql (needed by n8n)',
      'hosts[0].services: redis (needed by n8n)',
    ]);
  });

  it('takes secrets as values or environment references, and output options', () => {
    const parsed = parseAnswers({ project: { name: 'x' }, secrets: { 'hetzner.token': { env: 'HCLOUD_TOKEN' }, 'api.token': 'abc' }, output: { encryptedProfile: false } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect([...parsed.answers.secrets]).toEqual([['hetzner.token', { env: 'HCLOUD_TOKEN' }], ['api.token', { value: 'abc' }]]);
    expect(parsed.answers.encryptedProfile).toBe(false);
  });

  it('lists every bad answers-only key at once', () => {
    const parsed = parseAnswers({ secrets: { 'Bad Key': 'x', 'ok.key': 42 }, output: { encryptedProfile: 'yes' }, operator: { sshPublicKeyFiles: 'id.pub' } });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.path)).toEqual(['secrets.Bad Key', 'secrets.ok.key', 'output.encryptedProfile', 'operator.sshPublicKeyFiles']);
  });
});
