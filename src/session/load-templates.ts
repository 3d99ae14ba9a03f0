import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { WizardError } from '../errors.js';
import { packageRoot } from '../lib/package-root.js';
import {
  BUILTIN_TEMPLATES,
  checkTemplate,
  isTemplateName,
  TEMPLATE_NAMES,
  withOverrides,
  type TemplateName,
  type Templates,
  type TemplateSource,
} from '../render/templates.js';

/** A user's file that replaces a built-in template. */
export interface TemplateOverride {
  /** Its name under templates/, e.g. `caddy/Caddyfile.eta`. */
  readonly template: TemplateName;
  /** The user's file, absolute. */
  readonly file: string;
}

export interface LoadedTemplates {
  readonly templates: Templates;
  readonly overrides: readonly TemplateOverride[];
}

async function etaFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const nested = await Promise.all(
    entries.sort((a, b) => a.name.localeCompare(b.name)).map(async (e) => {
      const full = path.join(folder, e.name);
      if (e.isDirectory()) return etaFiles(full);
      return e.name.endsWith('.eta') ? [full] : [];
    }),
  );
  return nested.flat();
}

async function sameFolder(a: string, b: string): Promise<boolean> {
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/**
 * The templates a run renders with: the built-in ones, each replaced by the file of the same name
 * under `<project folder>/templates/` when there is one. Every override is compiled here, so a
 * broken one stops the command before any host is touched. The package's own folder (a project
 * folder that is this repository) holds the built-ins themselves: no overrides.
 */
export async function loadTemplates(dir: string): Promise<LoadedTemplates> {
  const folder = path.join(dir, 'templates');
  const isFolder = await stat(folder).then((s) => s.isDirectory(), () => false);
  if (!isFolder || (await sameFolder(folder, path.join(packageRoot(import.meta.url), 'templates')))) return { templates: BUILTIN_TEMPLATES, overrides: [] };
  const files = await etaFiles(folder).catch((error: unknown) => {
    throw new WizardError('template-invalid', `cannot read ${folder}: ${(error as Error).message}`, 'make the folder readable, or move it away to use the built-in templates', { cause: error });
  });
  const sources = new Map<TemplateName, TemplateSource>();
  const overrides: TemplateOverride[] = [];
  for (const file of files) {
    const name = path.relative(folder, file).split(path.sep).join('/');
    if (!isTemplateName(name)) {
      throw new WizardError('template-unknown', `${file} overrides no template: homelab-wizard renders no templates/${name}`, `rename it to one of ${TEMPLATE_NAMES.map((n) => `templates/${n}`).join(', ')}, or move it out of templates/`);
    }
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new WizardError('template-invalid', `cannot read the template override ${file}: ${(error as Error).message}`, 'make it readable, or delete it to use the built-in template', { cause: error });
    });
    const source = { text, override: file };
    checkTemplate(name, source);
    sources.set(name, source);
    overrides.push({ template: name, file });
  }
  return { templates: overrides.length === 0 ? BUILTIN_TEMPLATES : withOverrides(sources), overrides };
}

/**
 * The templates, noting which names the step builders read: `plan` names only the overrides the
 * chosen hosts and phases actually render.
 */
export function recordingUse(templates: Templates): { readonly templates: Templates; readonly used: ReadonlySet<TemplateName> } {
  const used = new Set<TemplateName>();
  return {
    templates: {
      get: (name) => {
        used.add(name);
        return templates.get(name);
      },
    },
    used,
  };
}
