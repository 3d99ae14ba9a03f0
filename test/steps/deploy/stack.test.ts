import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from '../../../src/lib/secret.js';
import { parseDeployState } from '../../../src/plan/deploy-state.js';
import type { Profile } from '../../../src/profile/schema.js';
import { renderRelease } from '../../../src/render/release.js';
import { deploySteps } from '../../../src/steps/deploy/stack.js';
import { validExample } from '../../helpers/profiles.js';

const SERVICES = ['docker', 'caddy', 'postgresql', 'redis', 'victoriametrics', 'grafana', 'n8n'];
const profile = (services = SERVICES): Profile => validExample('minimal', (p) => {
  p.hosts[0].services = services;
});
const vault = (over: Record<string, string> = {}) => (key: string): Secret | undefined => Secret.of(over[key] ?? `value-of-${key}`);
const stdinOf = (s: string | Secret | undefined): string => (s === undefined ? '' : isSecret(s) ? s.reveal() : s);

describe('deploy steps: rotation reaches the running services', () => {
  it('ALTERs the postgres superuser and every app user through psql on stdin, keyed by a marker that changes with any password', () => {
    const p = profile();
    const host = p.hosts[0]!;
    const step = deploySteps(p, host, vault()).find((s) => s.id === 'deploy.postgresql.databases')!;
    const [psql, marker] = step.apply;
    expect(psql?.argv).toEqual(['docker', 'compose', '-p', 'minimal-infra', '-f', expect.stringMatching(/\/releases\/[0-9a-f]{12}\/docker-compose-infra\.yml$/), 'exec', '-T', 'postgresql', 'psql', '-q', '-U', 'postgres', '-d', 'postgres']);
    expect(stdinOf(psql?.stdin)).toContain(`ALTER ROLE "postgres" WITH PASSWORD 'value-of-postgresql.superuserPassword';`);
    expect(stdinOf(psql?.stdin)).toContain(`ALTER ROLE "n8n" WITH LOGIN PASSWORD 'value-of-n8n.dbPassword';`);
    expect(JSON.stringify(step)).not.toContain('value-of-postgresql.superuserPassword');
    const rotated = deploySteps(p, host, vault({ 'postgresql.superuserPassword': 'new' })).find((s) => s.id === 'deploy.postgresql.databases')!;
    expect(rotated.check?.argv).not.toEqual(step.check?.argv);
    expect(marker?.argv.join(' ')).toContain('postgresql-provisioned');
  });

  it('runs the superuser ALTER even when no app has a database', () => {
    const p = profile(['docker', 'caddy', 'postgresql']);
    const step = deploySteps(p, p.hosts[0]!, vault()).find((s) => s.id === 'deploy.postgresql.databases');
    expect(step?.describe).toBe('Superuser password');
    expect(stdinOf(step?.apply[0]?.stdin)).toContain('ALTER ROLE "postgres"');
  });

  it("resets Grafana's admin password with its CLI after the apps are up, the password on stdin only", () => {
    const p = profile();
    const steps = deploySteps(p, p.hosts[0]!, vault());
    const ids = steps.map((s) => s.id);
    expect(ids.indexOf('deploy.grafana.admin-password')).toBe(ids.indexOf('deploy.stack.apps') + 1);
    const step = steps.find((s) => s.id === 'deploy.grafana.admin-password')!;
    expect(step.apply[0]?.argv).toEqual([
      'docker', 'compose', '-p', 'minimal', '-f', expect.stringMatching(/\/docker-compose\.yml$/), 'exec', '-T', 'grafana',
      'grafana', 'cli', '--homepath', '/usr/share/grafana', '--config', '/etc/grafana/grafana.ini', 'admin', 'reset-admin-password', '--password-from-stdin',
    ]);
    expect(stdinOf(step.apply[0]?.stdin)).toBe('value-of-grafana.adminPassword\n');
    expect(JSON.stringify(step)).not.toContain('value-of-grafana.adminPassword');
    const rotated = deploySteps(p, p.hosts[0]!, vault({ 'grafana.adminPassword': 'other' })).find((s) => s.id === 'deploy.grafana.admin-password')!;
    expect(rotated.check?.argv).not.toEqual(step.check?.argv);
    const without = profile(['docker', 'caddy', 'postgresql']);
    expect(deploySteps(without, without.hosts[0]!, vault()).some((s) => s.id === 'deploy.grafana.admin-password')).toBe(false);
  });

  it('records the sha256 of every release file in state.json, written 0600 as a secret (env files hold passwords)', () => {
    const p = profile();
    const host = p.hosts[0]!;
    const step = deploySteps(p, host, vault()).find((s) => s.id === 'deploy.release.state')!;
    const file = step.files?.[0];
    expect(file).toMatchObject({ path: '/opt/homelab/minimal/state.json', mode: '0600', owner: 'root:root' });
    expect(isSecret(file?.content)).toBe(true);
    const state = parseDeployState(stdinOf(file?.content));
    const release = renderRelease({ profile: p, host, projectDir: '/opt/homelab/minimal', secret: vault() });
    expect(Object.keys(state?.files ?? {}).sort()).toEqual(release.files.map((f) => f.path).sort());
    const env = release.files.find((f) => f.path === 'env/grafana.env')!;
    expect(state?.files['env/grafana.env']).toBe(createHash('sha256').update(stdinOf(env.content)).digest('hex'));
    expect(state?.services['grafana']?.image).toMatch(/grafana\/grafana:12\.3\.2$/);
  });
});
