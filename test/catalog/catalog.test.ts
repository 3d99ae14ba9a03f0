import { describe, expect, it } from 'vitest';
import { CATALOG, findService, withDependencies } from '../../src/catalog/catalog.js';
import { HOST_ROLES } from '../../src/catalog/types.js';

const REQUIRED = [
  'caddy', 'postgresql', 'redis', 'qdrant', 'n8n', 'litellm', 'openclaw', 'nocodb', 'grafana', 'victoriametrics', 'loki', 'alloy',
  'cadvisor', 'diun', 'couchdb', 'headscale', 'ufw', 'fail2ban', 'crowdsec', 'unattended-upgrades', 'docker', 'tailscale',
];

describe('service catalogue', () => {
  it('has every service of the stack and every host component, once', () => {
    const ids = CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...REQUIRED].sort());
  });

  it.each(CATALOG.filter((e) => e.image).map((e) => [e.id, e.image!.tag] as const))('%s pins a real version (%s), never a moving tag', (_id, tag) => {
    expect(['latest', 'stable', 'nightly', 'edge', 'main']).not.toContain(tag.toLowerCase());
    expect(tag).toMatch(/[0-9]/);
  });

  it('gives every host component a package source and every container an image, health check and memory limit', () => {
    for (const entry of CATALOG) {
      if (entry.placement.kind === 'host') expect(entry.package, entry.id).toBeDefined();
      else {
        expect(entry.image, entry.id).toBeDefined();
        expect(entry.health, entry.id).toBeDefined();
        expect(entry.memoryLimit, entry.id).toMatch(/^[0-9]+M$/);
      }
    }
  });

  it('never probes localhost in a health check (Alpine resolves it to ::1)', () => {
    for (const entry of CATALOG) expect(entry.health?.test.join(' ') ?? '', entry.id).not.toMatch(/localhost/);
  });

  it('only refers to known services and roles', () => {
    for (const entry of CATALOG) {
      for (const dep of entry.dependsOn) expect(findService(dep), `${entry.id} → ${dep}`).toBeDefined();
      for (const role of entry.roles) expect(HOST_ROLES).toContain(role);
    }
  });

  it('has no dependency cycles, and every dependency can run wherever its dependant runs', () => {
    for (const entry of CATALOG) {
      const order = withDependencies([entry.id]).map((d) => d.id);
      expect(order.at(-1)).toBe(entry.id);
      for (const dep of entry.dependsOn) {
        for (const role of entry.roles) expect(findService(dep)?.roles, `${entry.id} on ${role} needs ${dep}`).toContain(role);
      }
    }
  });

  it('marks the keys that must never change as immutable, and generates every internal secret', () => {
    const keys = new Map(CATALOG.flatMap((e) => e.secrets.map((s) => [s.key, s] as const)));
    expect(keys.get('n8n.encryptionKey')?.immutable).toBe(true);
    expect(keys.get('postgresql.superuserPassword')?.generate).toBeDefined();
    for (const [key, spec] of keys) expect(key).toMatch(/^[a-z][A-Za-z0-9]*\.[A-Za-z0-9]+$/), expect(spec.description.length).toBeGreaterThan(5);
  });

  it('gives each app that uses PostgreSQL its own database user and password', () => {
    const apps = CATALOG.filter((e) => e.database);
    expect(apps.map((e) => e.id).sort()).toEqual(['litellm', 'n8n', 'nocodb']);
    for (const app of apps) expect(app.secrets.map((s) => s.key)).toContain(`${app.id}.dbPassword`);
  });

  it('adds dependencies first and says why', () => {
    expect(withDependencies(['n8n'])).toEqual([
      { id: 'docker', requiredBy: 'n8n' },
      { id: 'caddy', requiredBy: 'n8n' },
      { id: 'postgresql', requiredBy: 'n8n' },
      { id: 'redis', requiredBy: 'n8n' },
      { id: 'n8n', requiredBy: null },
    ]);
  });
});
