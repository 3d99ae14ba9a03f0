import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CATALOG } from '../../src/catalog/catalog.js';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { validateProfile } from '../../src/profile/validate.js';
import { caddyQuote } from '../../src/render/caddyfile.js';
import { inputsHash } from '../../src/render/compose.js';
import { quoteEnvValue, renderEnvFile } from '../../src/render/env-file.js';
import { renderRelease, type Release } from '../../src/render/release.js';
import { provisionSql, sqlLiteral } from '../../src/render/sql.js';
import { exampleProfile, validExample } from '../helpers/profiles.js';
import { allSecrets, NASTY, release } from '../helpers/release-fixture.js';
import { ensureCommands } from '../helpers/system-packages.js';

describe('rendering', () => {
  it('makes an env file secret as soon as one value is', () => {
    expect(typeof renderEnvFile([['A', 'x']])).toBe('string');
    expect(isSecret(renderEnvFile([['A', 'x'], ['B', Secret.of('y')]]))).toBe(true);
    expect(quoteEnvValue('a"b$c')).toBe('"a\\"b\\$c"');
    expect(() => renderEnvFile([['BAD-NAME', 'x']])).toThrow(/invalid environment variable name/);
  });

  it('keeps secrets out of compose files and Caddyfiles, and in 0600 files only', () => {
    const r = release('vpai');
    for (const f of r.files) {
      const text = isSecret(f.content) ? f.content.reveal() : f.content;
      if (text.includes(NASTY)) {
        expect(isSecret(f.content), f.path).toBe(true);
        expect(f.mode, f.path).toBe('0600');
      }
    }
    expect(r.files.find((f) => f.path === 'docker-compose.yml')?.content).not.toContain('p@ss');
  });

  it('gives each app its own database password and recreates only a service whose inputs changed', () => {
    const base = release('minimal');
    const changed = release('minimal', 0, (key) => (key === 'n8n.dbPassword' ? Secret.of('another') : allSecrets(key)));
    const diff = [...base.inputs].filter(([id, hash]) => changed.inputs.get(id) !== hash).map(([id]) => id);
    expect(diff).toEqual(['n8n']);
  });

  it('puts the whole compose definition in the inputs: a memory limit alone changes n8n and only n8n, the same profile the same hashes', () => {
    const base = release('minimal');
    expect(release('minimal').inputs).toEqual(base.inputs);
    const profile = validExample('minimal', (raw) => {
      raw.hosts[0].services = raw.hosts[0].services.map((s: string) => (s === 'n8n' ? { name: 'n8n', memoryLimit: '1100M' } : s));
    });
    const limited = renderRelease({ profile, host: profile.hosts[0]!, projectDir: '/opt/homelab/minimal', secret: allSecrets });
    const diff = [...base.inputs].filter(([id, hash]) => limited.inputs.get(id) !== hash).map(([id]) => id);
    expect(diff).toEqual(['n8n']);
    // The label in the compose file is the hash of the release, and the env file did not change.
    const apps = parse(limited.files.find((f) => f.path === 'docker-compose.yml')!.content as string, { version: '1.1' });
    expect(apps.services.n8n.deploy.resources.limits.memory).toBe('1100M');
    expect(apps.services.n8n.labels['homelab-wizard.inputs']).toBe(limited.inputs.get('n8n'));
    const env = (r: Release) => r.files.find((f) => f.path === 'env/n8n.env')!.content;
    expect((env(limited) as Secret).reveal()).toBe((env(base) as Secret).reveal());
  });

  it('hashes a definition by its content, not its key order or its label, and every nested value counts', () => {
    const def = { image: 'n8n:1', healthcheck: { test: ['CMD', 'true'], retries: 5 }, volumes: ['./env/x.env:/x:ro'] };
    const same = { volumes: ['./env/x.env:/x:ro'], healthcheck: { retries: 5, test: ['CMD', 'true'] }, image: 'n8n:1' };
    expect(inputsHash(same, 'f')).toBe(inputsHash(def, 'f'));
    expect(inputsHash({ ...def, healthcheck: { ...def.healthcheck, retries: 6 } }, 'f')).not.toBe(inputsHash(def, 'f'));
    expect(inputsHash({ ...def, command: ['redis-server'] }, 'f')).not.toBe(inputsHash(def, 'f'));
    expect(inputsHash(def, 'g')).not.toBe(inputsHash(def, 'f'));
    // The label is not part of what it hashes: the definition of every rendered service, label
    // removed, hashes to the label's own value (with that service's files).
    const r = release('minimal');
    for (const file of ['docker-compose-infra.yml', 'docker-compose.yml']) {
      const doc = parse(r.files.find((f) => f.path === file)!.content as string, { version: '1.1' });
      for (const [id, svc] of Object.entries(doc.services as Record<string, { labels: Record<string, string> }>)) {
        expect(Object.keys(svc.labels), id).toEqual(['homelab-wizard.inputs']);
        expect(svc.labels['homelab-wizard.inputs'], id).toBe(r.inputs.get(id));
      }
    }
  });

  it('reports every missing secret at once', () => {
    const r = release('minimal', 0, () => undefined);
    expect(r.missingSecrets).toEqual(['n8n.dbPassword', 'n8n.encryptionKey', 'postgresql.superuserPassword', 'redis.password']);
  });

  it('renders Caddyfiles that Caddy itself validates (internal, DNS-01 and HTTP-01 TLS), with VPN-only sites on both ranges', { timeout: 300_000 }, () => {
    ensureCommands({ caddy: 'caddy' });
    const home = mkdtempSync(path.join(tmpdir(), 'hlw-caddy-'));
    for (const tls of ['internal', 'acme-dns-ovh'] as const) {
      const raw = exampleProfile('vpai');
      raw.domain = { name: 'example.com', tls, dnsProvider: tls === 'internal' ? 'manual' : 'ovh', acmeEmail: 'acme@example.com' };
      const result = validateProfile(raw);
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      const r = renderRelease({ profile: result.profile, host: result.profile.hosts[0]!, projectDir: '/opt/homelab/vpai', secret: allSecrets });
      const caddyfile = r.files.find((f) => f.path === 'config/caddy/Caddyfile')!.content as string;
      expect(caddyfile).toContain('@outside not remote_ip 100.64.0.0/10 172.20.1.0/24');
      expect(caddyfile).toMatch(/javisi\.example\.com \{[\s\S]*versions 1\.1/);
      const file = path.join(home, `Caddyfile-${tls}`);
      writeFileSync(file, caddyfile);
      const res = spawnSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], {
        encoding: 'utf8',
        env: { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') },
      });
      expect(res.status, res.stderr).toBe(0);
    }
    // acme-http (no VPN-only site): HTTP-01 only, through the issuer block.
    const minimal = validateProfile(exampleProfile('minimal'));
    if (!minimal.ok) throw new Error(JSON.stringify(minimal.issues));
    const r = renderRelease({ profile: minimal.profile, host: minimal.profile.hosts[0]!, projectDir: '/opt/homelab/minimal', secret: allSecrets });
    const file = path.join(home, 'Caddyfile-acme-http');
    writeFileSync(file, r.files.find((f) => f.path === 'config/caddy/Caddyfile')!.content as string);
    const res = spawnSync('caddy', ['validate', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') } });
    expect(res.status, res.stderr).toBe(0);
  });

  it('quotes Caddyfile tokens and refuses control characters', () => {
    expect(caddyQuote('example.com')).toBe('example.com');
    expect(caddyQuote('Home "lab"')).toBe('"Home \\"lab\\""');
    expect(() => caddyQuote('a\nb')).toThrow(/control characters/);
  });

  it('provisions one role and database per app idempotently, passwords as SQL literals', () => {
    const sql = provisionSql([{ database: 'n8n', user: 'n8n', password: Secret.of("it's $$ \\"), extensions: ['uuid-ossp'] }]);
    expect(sql).toContain(`ALTER ROLE "n8n" WITH LOGIN PASSWORD 'it''s $$ \\';`);
    expect(sql).toContain(`WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'n8n')\\gexec`);
    expect(sqlLiteral("a'b")).toBe("'a''b'");
  });

  it('has a container path for every data folder', () => {
    for (const e of CATALOG) for (const d of e.dataDirs) expect(d.target, `${e.id} ${d.path}`).toMatch(/^\//);
    expect(parse(release('minimal').files[0]!.content as string).name).toBe('minimal-infra');
  });
});
