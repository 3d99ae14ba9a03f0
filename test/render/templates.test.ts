import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WizardError } from '../../src/errors.js';
import { isSecret, Secret } from '../../src/lib/secret.js';
import { desiredDigest } from '../../src/plan/digest.js';
import type { Profile } from '../../src/profile/schema.js';
import { BUILTIN_TEMPLATE_TEXT } from '../../src/render/builtin-templates.js';
import { renderRelease } from '../../src/render/release.js';
import { BUILTIN_TEMPLATES, checkTemplate, renderTemplate, TEMPLATE_NAMES, withOverrides, type TemplateName, type Templates } from '../../src/render/templates.js';
import { hostReadme } from '../../src/steps/deploy/layout.js';
import { hardenSteps } from '../../src/steps/harden/harden-steps.js';
import { FILE_VARIANTS, hostFiles } from '../helpers/host-files.js';
import { REPO, validExample } from '../helpers/profiles.js';

const override = (name: TemplateName, text: string, file = `/project/templates/${name}`): Templates => withOverrides(new Map([[name, { text, override: file }]]));

/** The error a call throws, for matching its code, message and hint. */
function thrown(fn: () => unknown): WizardError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WizardError) return error;
    throw new Error(`not a WizardError: ${String(error)}`);
  }
  throw new Error('nothing was thrown');
}

describe('the built-in templates', () => {
  it('render exactly what the code wrote before the move, for every example profile and variant', () => {
    const before = JSON.parse(readFileSync(path.join(REPO, 'test/render/fixtures/host-files-before-templates.json'), 'utf8')) as Record<string, string>;
    const now: Record<string, string> = {};
    for (const [name, make] of Object.entries(FILE_VARIANTS)) Object.assign(now, hostFiles(make(), name));
    expect(Object.keys(now).sort()).toEqual(Object.keys(before).sort());
    for (const key of Object.keys(before)) expect(now[key], key).toBe(before[key]);
  });

  it('are inlined from templates/ exactly (scripts/inline-templates.mjs --check), one file per name', () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts/inline-templates.mjs'), '--check'], { encoding: 'utf8' });
    expect(Object.keys(BUILTIN_TEMPLATE_TEXT).sort()).toEqual([...TEMPLATE_NAMES].sort());
    for (const name of TEMPLATE_NAMES) expect(readFileSync(path.join(REPO, 'templates', name), 'utf8')).toBe(BUILTIN_TEMPLATE_TEXT[name]);
  });

  it('all compile', () => {
    for (const name of TEMPLATE_NAMES) expect(() => checkTemplate(name, BUILTIN_TEMPLATES.get(name)!)).not.toThrow();
  });
});

describe('strict rendering', () => {
  it('makes a variable the template does not receive an error naming the file and the line, not "undefined"', () => {
    const e = thrown(() => renderTemplate(override('ssh/sshd-hardening.conf.eta', '# mine\nPort <%= it.port %>\nBanner <%= it.banner %>\n'), 'ssh/sshd-hardening.conf.eta', { port: 2222, admin: 'deploy' }));
    expect(e.code).toBe('template-invalid');
    expect(e.message).toBe('/project/templates/ssh/sshd-hardening.conf.eta: line 3: it.banner is not a variable of this template');
    expect(e.hint).toMatch(/README.*or delete it to use the built-in templates\/ssh\/sshd-hardening\.conf\.eta/);
    expect(e.exitCode).toBe(1);
  });

  it('refuses a bare name, a nested missing field, and a value that would print as undefined, null or [object Object]', () => {
    const t = (text: string, data: Record<string, unknown>) => thrown(() => renderTemplate(override('host/README.eta', text), 'host/README.eta', data)).message;
    expect(t('<%= project %>', { project: 'x' })).toMatch(/line 1: project is not defined/);
    expect(t('<%= it.a.b %>', { a: {} })).toMatch(/it\.a\.b is not a variable/);
    expect(t('<%= it.a %>', { a: undefined })).toMatch(/cannot be printed \(undefined\)/);
    expect(t('<%= it.a %>', { a: null })).toMatch(/cannot be printed \(null\)/);
    expect(t('<%= it.a %>', { a: { b: 1 } })).toMatch(/cannot be printed \(object\)/);
    expect(t('<%= it.a %>', { a: ['x'] })).toMatch(/cannot be printed \(a list\)/);
  });

  it('names the file of an override with broken syntax when it is checked, on one line', () => {
    const e = thrown(() => checkTemplate('caddy/Caddyfile.eta', { text: '{\n<% if (it.email { %>\n}\n', override: '/p/templates/caddy/Caddyfile.eta' }));
    expect(e.code).toBe('template-invalid');
    expect(e.message).toMatch(/^\/p\/templates\/caddy\/Caddyfile\.eta: Bad template syntax/);
    expect(e.message).not.toContain('\n');
  });

  it('calls a failing built-in template a bug, not the user\'s fault', () => {
    const e = thrown(() => renderTemplate(BUILTIN_TEMPLATES, 'ssh/sshd-hardening.conf.eta', { port: 22 }));
    expect(e.code).toBe('internal');
    expect(e.message).toContain('it.admin is not a variable');
  });

  it('prints values as text: eta tags, backticks, ${} and $() in a value are never evaluated', () => {
    const hostile = ['<%= 6 * 7 %>', '`id`', '${process.exit(1)}', '$(reboot)', '<%~ it %>', '%>'];
    for (const value of hostile) {
      expect(renderTemplate(override('host/README.eta', 'A <%= it.v %> B\n'), 'host/README.eta', { v: value })).toBe(`A ${value} B\n`);
      const sysctl = renderTemplate(BUILTIN_TEMPLATES, 'sysctl/hardening.conf.eta', { settings: [{ key: 'k', value }] });
      expect(sysctl).toBe(`# written by homelab-wizard\nk = ${value}\n`);
    }
  });
});

/** NUL last: env files refuse it (render/env-file.ts), so the password cases stop before it. */
const HOSTILE = ['a\nPermitRootLogin yes', 'a\r\nb', 'x" ; y', "it's", 'a\\', '{$OVH_APPLICATION_SECRET}', '}', '{', '$(reboot)', '`id`', '<%= it %>', 'a b', '#c', 'a,b', 'a=b', '\u0000'];

/** Undo a Caddyfile quoted token (\\ and \"), or the bare token. */
function caddyUnquote(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/\\(["\\])/g, '$1') : token;
}
/** Undo a Redis double-quoted string (\\, \", \xHH). */
function redisUnquote(token: string): string {
  return token.slice(1, -1).replace(/\\x([0-9a-f]{2})|\\(["\\])/g, (_m, hex: string | undefined, c: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : (c as string)));
}

interface HostileCase {
  readonly template: TemplateName;
  readonly field: string;
  /** Render the file with `value` in the field (bypassing the schema, as a last line of defence). */
  readonly render: (value: string) => string;
  /** The line that carries the value, and how to read the value back from it. */
  readonly line: RegExp;
  readonly decode: (m: RegExpMatchArray) => string;
  /** Values that stay one line but still change the file's meaning: these must be refused. */
  readonly unsafe?: RegExp;
}

const minimal = (): Profile => validExample('minimal');
const withAdmin = (value: string): Profile => {
  const p = minimal();
  return { ...p, hosts: [{ ...p.hosts[0]!, ssh: { ...p.hosts[0]!.ssh, adminUser: value } }] };
};
const releaseFile = (p: Profile, file: string, secret = (key: string) => Secret.of(`v-${key}`)): string => {
  const f = renderRelease({ profile: p, host: p.hosts[0]!, projectDir: '/opt/homelab/minimal', secret }).files.find((x) => x.path === file)!;
  return isSecret(f.content) ? f.content.reveal() : f.content;
};
const stepFile = (p: Profile, id: string): string => {
  const c = hardenSteps(p, p.hosts[0]!).find((s) => s.id === id)!.files![0]!.content;
  return isSecret(c) ? c.reveal() : c;
};

const CASES: HostileCase[] = [
  {
    template: 'caddy/Caddyfile.eta',
    field: 'project.displayName',
    render: (v) => releaseFile({ ...minimal(), project: { ...minimal().project, displayName: v } }, 'config/caddy/Caddyfile'),
    line: /^\t\trespond (.*managed by homelab-wizard"?) 200$/m,
    decode: (m) => caddyUnquote(m[1]!).replace(/: managed by homelab-wizard$/, ''),
    // Caddy expands {$ENV} and {placeholders} even inside quotes: the home page would print a secret.
    unsafe: /[{}]/,
  },
  {
    template: 'caddy/Caddyfile.eta',
    field: 'domain.acmeEmail',
    render: (v) => releaseFile({ ...minimal(), domain: { ...minimal().domain, acmeEmail: v } }, 'config/caddy/Caddyfile'),
    line: /^\temail (.*)$/m,
    decode: (m) => caddyUnquote(m[1]!),
    unsafe: /[{}]/,
  },
  {
    template: 'redis/redis.conf.eta',
    field: 'the redis.password secret',
    render: (v) => releaseFile(minimal(), 'config/redis/redis.conf', (key) => Secret.of(key === 'redis.password' ? v : `v-${key}`)),
    line: /^requirepass (.*)$/m,
    decode: (m) => redisUnquote(m[1]!),
  },
  { template: 'ssh/sshd-hardening.conf.eta', field: 'hosts[vps].ssh.adminUser', render: (v) => stepFile(withAdmin(v), 'harden.ssh.config'), line: /^AllowUsers (.*)$/m, decode: (m) => m[1]!, unsafe: /[\s,#"\\]/ },
  { template: 'sudo/sudoers.eta', field: 'hosts[vps].ssh.adminUser', render: (v) => stepFile(withAdmin(v), 'harden.admin.sudo'), line: /^(.*) ALL=\(ALL:ALL\) ALL$/m, decode: (m) => m[1]!, unsafe: /[\s,=:!#"\\]/ },
  {
    template: 'fail2ban/jail.local.eta',
    field: 'vpn.cidr',
    render: (v) => stepFile({ ...minimal(), vpn: { ...minimal().vpn, enabled: true, cidr: v } }, 'harden.fail2ban.sshd'),
    line: /^ignoreip = 127\.0\.0\.1\/8 ::1 (.*)$/m,
    decode: (m) => m[1]!,
    unsafe: /[\s,#;]/,
  },
  {
    template: 'host/README.eta',
    field: 'hosts[].name',
    render: (v) => hostReadme(minimal(), { ...minimal().hosts[0]!, name: v }),
    line: /^This folder is managed by homelab-wizard \(project 'minimal', host '(.*)'\)\.$/m,
    decode: (m) => m[1]!,
  },
];

describe('hostile values in every template that receives a value from outside', () => {
  it('covers every template that has variables from the profile or the vault', () => {
    // The others receive constants only: sysctl keys, the docker-user script path, apt settings.
    expect(new Set(CASES.map((c) => c.template))).toEqual(new Set(['caddy/Caddyfile.eta', 'redis/redis.conf.eta', 'ssh/sshd-hardening.conf.eta', 'sudo/sudoers.eta', 'fail2ban/jail.local.eta', 'host/README.eta']));
  });

  for (const c of CASES) {
    it(`${c.template}, ${c.field}: refused with an error naming the field, or written as exactly one value on its own line`, () => {
      const benign = c.render('benign');
      const lines = benign.split('\n').length;
      for (const value of c.template === 'redis/redis.conf.eta' ? HOSTILE.slice(0, -1) : HOSTILE) {
        let out: string;
        try {
          out = c.render(value);
        } catch (error) {
          expect(error, JSON.stringify(value)).toBeInstanceOf(WizardError);
          expect((error as WizardError).code).toBe('template-value');
          expect((error as WizardError).message).toContain(c.field.replace(/^the (\S+) secret$/, '$1'));
          continue;
        }
        expect(c.unsafe?.test(value) ?? false, `${JSON.stringify(value)} was written, not refused`).toBe(false);
        // No line added or removed, every other line as before, and the value reads back whole.
        expect(out.split('\n').length, JSON.stringify(value)).toBe(lines);
        const m = out.match(c.line);
        expect(m, `${JSON.stringify(value)} in ${out}`).not.toBeNull();
        expect(c.decode(m!)).toBe(value);
        expect(out.replace(c.line, '')).toBe(benign.replace(c.line, ''));
      }
    });
  }

  it('keeps a secret out of the message and the cause chain when an override throws it', () => {
    const p = minimal();
    const templates = override('redis/redis.conf.eta', '<% throw new Error(`bad ${it.password}`) %>');
    let e: unknown;
    try {
      renderRelease({ profile: p, host: p.hosts[0]!, projectDir: '/opt/homelab/minimal', secret: (k) => Secret.of(k === 'redis.password' ? 'hunter2-secret' : 'x'), templates });
    } catch (error) {
      e = error;
    }
    expect(e).toBeInstanceOf(WizardError);
    expect((e as WizardError).message).toBe('/project/templates/redis/redis.conf.eta: line 1: bad [redacted]');
    expect((e as WizardError).cause).toBeUndefined();
  });

  it('never refuses a password: redis.conf quotes any value (the vault may hold anything)', () => {
    for (const value of HOSTILE.slice(0, -1)) expect(() => releaseFile(minimal(), 'config/redis/redis.conf', (key) => Secret.of(key === 'redis.password' ? value : 'x'))).not.toThrow();
  });
});

describe('an override', () => {
  it('replaces the built-in text and changes the desired digest, so a saved plan goes stale', () => {
    const p = minimal();
    const host = p.hosts[0]!;
    const mine = override('ssh/sshd-hardening.conf.eta', '# mine\nPort <%= it.port %>\nAllowUsers <%= it.admin %>\n');
    const builtIn = hardenSteps(p, host);
    const overridden = hardenSteps(p, host, mine);
    expect(overridden.find((s) => s.id === 'harden.ssh.config')!.files![0]!.content).toBe('# mine\nPort 2222\nAllowUsers deploy\n');
    expect(desiredDigest(overridden)).not.toBe(desiredDigest(builtIn));
    const release = renderRelease({ profile: p, host, projectDir: '/opt/homelab/minimal', secret: (k) => Secret.of(k), templates: override('caddy/Caddyfile.eta', '# <%= it.project %> by hand\n') });
    expect(release.files.find((f) => f.path === 'config/caddy/Caddyfile')!.content).toBe('# minimal by hand\n');
  });
});
