import { Eta } from 'eta/core';
import { WizardError } from '../errors.js';
import { BUILTIN_TEMPLATE_TEXT } from './builtin-templates.js';

/**
 * The text configuration files the tool writes to hosts, by their name under `templates/` (of the
 * package, or of the user's project folder, which overrides it). Structured files (compose, JSON)
 * are typed objects serialised with `yaml`/JSON instead, never templates.
 */
export const TEMPLATE_NAMES = [
  'caddy/Caddyfile.eta',
  'redis/redis.conf.eta',
  'ssh/sshd-hardening.conf.eta',
  'fail2ban/jail.local.eta',
  'sysctl/hardening.conf.eta',
  'apt/20auto-upgrades.eta',
  'apt/unattended-upgrades.conf.eta',
  'sudo/sudoers.eta',
  'systemd/docker-user.service.eta',
  'systemd/acme-renew.service.eta',
  'systemd/acme-renew.timer.eta',
  'host/README.eta',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

export interface TemplateSource {
  readonly text: string;
  /** The user's file this text came from; absent for the built-in template. */
  readonly override?: string;
}

/** Template text by name, read by an adapter (session/load-templates.ts) and passed in as data. */
export interface Templates {
  get(name: TemplateName): TemplateSource | undefined;
}

export const BUILTIN_TEMPLATES: Templates = new Map<TemplateName, TemplateSource>(TEMPLATE_NAMES.map((name) => [name, { text: BUILTIN_TEMPLATE_TEXT[name] }]));

/** The built-in templates with some replaced: what the adapter builds from the user's folder. */
export function withOverrides(overrides: ReadonlyMap<TemplateName, TemplateSource>): Templates {
  return { get: (name) => overrides.get(name) ?? BUILTIN_TEMPLATES.get(name) };
}

/** Nothing printed may be undefined, null, an object or a function: a config file never says "undefined". */
function printable(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'object' || typeof value === 'function') {
    throw new Error(`a value that cannot be printed (${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}): print one of its fields, or test it with <% if (…) { %>`);
  }
  return String(value);
}

/**
 * Config files are not HTML (no escaping: values are quoted for their own syntax before they get
 * here), whitespace is kept as written (`-%>` drops the newline after a tag), every interpolation
 * goes through `printable`, and `debug` makes errors name the template line.
 */
const eta = new Eta({ autoEscape: false, autoTrim: false, autoFilter: true, filterFunction: printable, debug: true, useWith: false, varName: 'it', cache: false });

/** The data as the template sees it: reading a field that does not exist is an error, not undefined. */
function strict<T>(value: T, path: string): T {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target) return strict(Reflect.get(target, key, receiver), `${path}.${String(key)}`);
      // Eta's own helpers look for these on `it`.
      if (key.startsWith('__')) return undefined;
      throw new Error(`${path}.${key} is not a variable of this template`);
    },
  });
}

/** Eta's messages span lines (the template around the error); ours are one line: where, then what. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const parts = message.split('\n=====')[0]!.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const where = /^line (\d+)/.exec(parts[0] ?? '');
  const what = (where ? parts[parts.length - 1] : parts.join(': '))!.replace(/\s*\n\s*/g, ' ');
  return where ? `line ${where[1]}: ${what}` : what;
}

function failure(name: TemplateName, source: TemplateSource, error: unknown, secrets: readonly string[] = []): WizardError {
  // A template may throw a value it was given: secrets never reach the message, nor the cause chain.
  let what = oneLine(error);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret !== '') what = what.split(secret).join('[redacted]');
  const cause = secrets.length === 0 ? { cause: error } : undefined;
  if (source.override === undefined) return new WizardError('internal', `the built-in template ${name} failed: ${what}`, 'this is a bug in homelab-wizard; please report it', cause);
  return new WizardError(
    'template-invalid',
    `${source.override}: ${what}`,
    `fix the template (the variables it may use are listed in the README, "Overriding a configuration template"), or delete it to use the built-in templates/${name}`,
    cause,
  );
}

/** Compiles a template without running it: an override with broken syntax is found before any work. */
export function checkTemplate(name: TemplateName, source: TemplateSource): void {
  try {
    eta.compile(source.text);
  } catch (error) {
    throw failure(name, source, error);
  }
}

/**
 * Renders one template strictly; a failure names the file (the user's override, or a built-in bug).
 * `secrets`: values in `data` that an error message must never show.
 */
export function renderTemplate(templates: Templates, name: TemplateName, data: Record<string, unknown>, secrets: readonly string[] = []): string {
  const source = templates.get(name) ?? BUILTIN_TEMPLATES.get(name)!;
  try {
    return eta.renderString(source.text, strict(data, 'it'));
  } catch (error) {
    throw failure(name, source, error, secrets);
  }
}

/**
 * A value for a line-based config file (sshd, fail2ban, sudoers): one token, so it can neither
 * start a new line nor add a word to the directive. The profile schema already refuses these; this
 * is the last line of defence, naming the field.
 */
export function configToken(field: string, value: string): string {
  if (value === '' || /[\s"'`\\#,=;{}$]|[\u0000-\u001f\u007f]/.test(value)) {
    throw new WizardError('template-value', `${field} cannot be written into a configuration file: ${JSON.stringify(value)}`, `set ${field} to a plain value (letters, digits, '.', '-', '_', ':', '/'), then run the command again`);
  }
  return value;
}

/** Text for a comment or a note: anything but a line break or a control character. */
export function configText(field: string, value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new WizardError('template-value', `${field} cannot be written into a configuration file: it holds a line break or a control character`, `remove it from ${field}, then run the command again`);
  }
  return value;
}
