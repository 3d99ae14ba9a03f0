import { describe, expect, it } from 'vitest';
import type { HostCheck, SiteCheck } from '../../src/smoke/checks.js';
import { smokePlan } from '../../src/smoke/checks.js';
import { validExample } from '../helpers/profiles.js';

describe('smoke checks derived from a host', () => {
  it('checks exactly the enabled services of the minimal host', () => {
    const profile = validExample('minimal');
    const plan = smokePlan(profile, profile.hosts[0]!);
    expect(plan.checks.map((c) => c.id)).toEqual([
      'docker.active',
      'ufw.active',
      'fail2ban.active',
      'unattended-upgrades.active',
      'caddy.container',
      'caddy.health',
      'postgresql.container',
      'postgresql.ready',
      'redis.container',
      'redis.ping',
      'n8n.container',
      'n8n.healthz',
      'n8n.owner-login',
      'n8n.db-login',
    ]);
    expect(plan.address).toBe('203.0.113.10');
    expect(plan.internalCa).toBeUndefined(); // acme-http: the system's roots
  });

  it('drops the checks of a service that is no longer enabled (no stale checks)', () => {
    const profile = validExample('minimal', (raw) => {
      raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis'];
    });
    const ids = smokePlan(profile, profile.hosts[0]!).checks.map((c) => c.id);
    expect(ids.filter((id) => id.startsWith('n8n.'))).toEqual([]);
    expect(ids).not.toContain('ufw.active');
    expect(ids).not.toContain('fail2ban.active');
  });

  it('logs in to PostgreSQL once per app with a database, as that app with its own password key', () => {
    const profile = validExample('minimal', (raw) => {
      raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', 'n8n', 'nocodb', 'litellm'];
    });
    const logins = smokePlan(profile, profile.hosts[0]!).checks.filter((c): c is Extract<HostCheck, { kind: 'db-login' }> => c.kind === 'db-login');
    expect(logins.map((c) => [c.id, c.user, c.database, c.passwordKey])).toEqual([
      ['n8n.db-login', 'n8n', 'n8n', 'n8n.dbPassword'],
      ['nocodb.db-login', 'nocodb', 'nocodb', 'nocodb.dbPassword'],
      ['litellm.db-login', 'litellm', 'litellm', 'litellm.dbPassword'],
    ]);
    for (const l of logins) expect(l.target).toEqual({ project: 'minimal-infra', file: 'docker-compose-infra.yml', service: 'postgresql' });
  });

  it('expects a VPN-only site to be refused from outside the VPN, and a public one to answer', () => {
    const profile = validExample('minimal', (raw) => {
      raw['domain'].tls = 'internal';
      raw['vpn'] = { enabled: true, headscaleUrl: 'https://vpn.example.com' };
      raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', { name: 'n8n', vpnOnly: true }, 'victoriametrics', 'grafana', { name: 'couchdb', vpnOnly: false }];
    });
    const plan = smokePlan(profile, profile.hosts[0]!);
    const sites = Object.fromEntries(plan.checks.filter((c): c is SiteCheck => c.kind === 'site').map((c) => [c.id, [c.name, c.path, c.expectRefused]]));
    expect(sites).toEqual({
      'caddy.health': ['example.com', '/health', false],
      'n8n.healthz': ['n8n.example.com', '/healthz', true],
      'grafana.health': ['grafana.example.com', '/api/health', true], // VPN-only by default
      'couchdb.up': ['notes.example.com', '/_up', false],
    });
    expect(plan.internalCa).toEqual({ project: 'minimal-infra', file: 'docker-compose-infra.yml', service: 'caddy' });
  });

  it('expects VPN-only sites to answer when the host is reached at its VPN address', () => {
    const profile = validExample('minimal', (raw) => {
      raw['hosts'][0].address = '100.64.0.7';
      raw['vpn'] = { enabled: true, headscaleUrl: 'https://vpn.example.com' };
      raw['domain'].tls = 'internal';
      raw['hosts'][0].services = ['docker', 'caddy', { name: 'n8n', vpnOnly: true }, 'postgresql', 'redis'];
    });
    const site = smokePlan(profile, profile.hosts[0]!).checks.find((c) => c.id === 'n8n.healthz') as SiteCheck;
    expect(site.expectRefused).toBe(false);
  });

  it('proves a VPN-only site without an http check refused too (qdrant)', () => {
    const profile = validExample('minimal', (raw) => {
      raw['hosts'][0].services = ['docker', 'caddy', 'qdrant'];
    });
    const checks = smokePlan(profile, profile.hosts[0]!).checks;
    expect(checks.find((c) => c.id === 'qdrant.site')).toMatchObject({ kind: 'site', name: 'qd.example.com', path: '/', expectRefused: true });
    expect(checks.find((c) => c.id === 'qdrant.readyz')).toMatchObject({ kind: 'http-container', port: 6333, path: '/readyz' });
  });

  it('has no site checks on a host without Caddy, and the apex only on the host that serves it', () => {
    const profile = validExample('vpai');
    for (const host of profile.hosts) {
      const plan = smokePlan(profile, host);
      const hasCaddy = host.services.some((s) => (typeof s === 'string' ? s : s.name) === 'caddy');
      if (!hasCaddy) expect(plan.checks.filter((c) => c.kind === 'site'), host.name).toEqual([]);
    }
    const apex = profile.hosts.flatMap((h) => smokePlan(profile, h).checks.filter((c) => c.id === 'caddy.health').map(() => h.name));
    expect(apex.length).toBeLessThanOrEqual(1);
  });

  it('runs host components on the host and container commands in their container', () => {
    const profile = validExample('minimal');
    const checks = smokePlan(profile, profile.hosts[0]!).checks;
    expect(checks.find((c) => c.id === 'ufw.active')).toMatchObject({ kind: 'command', argv: ['ufw', 'status'] });
    expect(checks.find((c) => c.id === 'ufw.active')).not.toHaveProperty('target');
    expect(checks.find((c) => c.id === 'redis.ping')).toMatchObject({ kind: 'command', target: { project: 'minimal-infra', service: 'redis' } });
    expect(checks.find((c) => c.id === 'n8n.container')).toMatchObject({ kind: 'container', target: { project: 'minimal', file: 'docker-compose.yml', service: 'n8n' } });
  });
});
