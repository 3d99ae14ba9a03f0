import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from '../../../src/lib/secret.js';
import type { Profile } from '../../../src/profile/schema.js';
import { N8N_OWNER } from '../../../src/remote/generated-scripts.js';
import { deploySteps } from '../../../src/steps/deploy/stack.js';
import { validExample } from '../../helpers/profiles.js';

const SERVICES = ['docker', 'caddy', 'postgresql', 'redis', 'n8n'];
const profile = (mutate: (raw: Record<string, any>) => void = () => undefined): Profile =>
  validExample('minimal', (p) => {
    p.hosts[0].services = SERVICES;
    p.admins = { ...p.admins, n8nOwner: { email: 'ops@example.com', firstName: 'Ada', lastName: 'Lovelace' } };
    mutate(p);
  });
const vault = (over: Record<string, string | undefined> = {}) => (key: string): Secret | undefined => {
  const value = key in over ? over[key] : `value-of-${key}`;
  return value === undefined ? undefined : Secret.of(value);
};
const stdinOf = (s: string | Secret | undefined): string => (s === undefined ? '' : isSecret(s) ? s.reveal() : s);

describe('deploy step: the n8n owner account', () => {
  it("comes after the apps are up, asks n8n's /rest/settings, and posts the owner with the password on stdin only", () => {
    const p = profile();
    const steps = deploySteps(p, p.hosts[0]!, vault({ 'n8n.ownerPassword': 'Secret-Pass1' }));
    const ids = steps.map((s) => s.id);
    const step = steps.find((s) => s.id === 'deploy.n8n.owner')!;
    expect(ids.indexOf('deploy.n8n.owner')).toBeGreaterThan(ids.indexOf('deploy.stack.apps'));
    expect(ids.indexOf('deploy.n8n.owner')).toBeLessThan(ids.indexOf('deploy.release.current'));
    expect(step.checkReports).toBe(true);
    // In n8n's container (found by its compose labels), the in-container script with its mode.
    const check = step.check!.argv;
    expect(check.slice(4, 7)).toEqual([`${p.project.name}-infra`, p.project.name, 'n8n']);
    expect(check.slice(7)).toEqual(['exec', '-i', '{}', 'sh', '-c', N8N_OWNER, 'sh', 'check']);
    const apply = step.apply[0]!;
    expect(apply.argv.slice(-4)).toEqual(['setup', 'ops@example.com', 'Ada', 'Lovelace']);
    expect(Buffer.from(stdinOf(apply.stdin).trim(), 'base64').toString('utf8')).toBe('Secret-Pass1');
    expect(isSecret(apply.stdin)).toBe(true);
    expect(JSON.stringify(step)).not.toContain('Secret-Pass1');
    expect(JSON.stringify(step)).not.toContain(Buffer.from('Secret-Pass1').toString('base64'));
  });

  it('is absent on a host without n8n', () => {
    const p = profile((raw) => (raw.hosts[0].services = ['docker', 'caddy', 'postgresql', 'redis']));
    expect(deploySteps(p, p.hosts[0]!, vault()).some((s) => s.id === 'deploy.n8n.owner')).toBe(false);
  });

  it('refuses a host with n8n and no admins.n8nOwner, naming the field (n8n would show its setup page to anyone)', () => {
    const p = profile((raw) => delete raw.admins.n8nOwner);
    expect(() => deploySteps(p, p.hosts[0]!, vault())).toThrow(/admins\.n8nOwner is missing/);
  });

  it('refuses without n8n.ownerPassword in the vault', () => {
    const p = profile();
    expect(() => deploySteps(p, p.hosts[0]!, vault({ 'n8n.ownerPassword': undefined }))).toThrow(/n8n\.ownerPassword/);
  });
});

describe('src/remote/n8n-owner.sh', () => {
  it("speaks n8n's REST API as 2.7 defines it: settings, owner setup, login with emailOrLdapLoginId", () => {
    expect(N8N_OWNER).toContain('"/rest/settings"');
    expect(N8N_OWNER).toContain('um.showSetupOnFirstLoad');
    expect(N8N_OWNER).toContain('"/rest/owner/setup", { email, firstName, lastName, password: password() }');
    expect(N8N_OWNER).toContain('"/rest/login", { emailOrLdapLoginId: email, password: password() }');
  });
});
