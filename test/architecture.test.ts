import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/profiles.js';

/** The import rules of DESIGN §3, read from the source text. */
const SRC = path.join(REPO, 'src');

interface Edge {
  readonly file: string; // relative to src/, e.g. 'commands/profile-check.ts'
  readonly target: string; // a package name or a path relative to src/
  readonly typeOnly: boolean;
  /** `import('...')`: loaded only when that code runs. */
  readonly dynamic: boolean;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

const sources = files(SRC).map((full) => ({ file: path.relative(SRC, full), text: readFileSync(full, 'utf8') }));

/** Code without comments and string contents: a command inside a string is data, not a call. */
const code = (text: string): string =>
  text.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');

/** Code without comments, strings kept: for calls whose argument is a string. */
const withoutComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1');

const edges: Edge[] = sources.flatMap(({ file, text }) => {
  const out: Edge[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = (m[3] ?? m[4]) as string;
    const typeOnly = m[2] !== undefined;
    const target = spec.startsWith('.') ? path.relative(SRC, path.resolve(SRC, path.dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    out.push({ file, target, typeOnly, dynamic: m[4] !== undefined });
  }
  return out;
});

const top = (p: string): string => p.split('/')[0] ?? p;
const known = new Set(sources.map((s) => s.file));
/** A file of src/ (a `.tsx` is imported by its `.js` name too, read here as `.ts`). */
const isSource = (target: string): boolean => known.has(target) || known.has(`${target}x`);

/**
 * Each cycle between top-level folders (a file at the top of src/ is its own node), found as the
 * strongly connected components of the folder graph, with the imports that make it: type-only
 * imports count, since a cycle of types still ties the folders together.
 */
function folderCycles(all: readonly Edge[]): string[] {
  const graph = new Map<string, Map<string, string[]>>();
  for (const e of all) {
    if (!isSource(e.target) || top(e.file) === top(e.target)) continue;
    const out = graph.get(top(e.file)) ?? new Map<string, string[]>();
    graph.set(top(e.file), out.set(top(e.target), [...(out.get(top(e.target)) ?? []), `${e.file} → ${e.target}`]));
  }
  // Tarjan's algorithm: few nodes, so recursion is fine.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = stack.splice(stack.indexOf(v));
    if (component.length < 2) return;
    const inside = component.flatMap((a) => component.flatMap((b) => (graph.get(a)?.get(b) ?? []).slice(0, 3)));
    cycles.push(`${[...component].sort().join(' ↔ ')}: ${inside.join(', ')}`);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
const isPackage = (target: string): boolean => !target.includes('/') || target.startsWith('@') || target.startsWith('node:') || !sources.some((s) => top(s.file) === top(target));

/** Folders and files that decide what to do: no I/O, no clock, no environment, no randomness. */
const PURE = [/^catalog\//, /^steps\//, /^smoke\//, /^shell\//, /^render\//, /^plan\//, /^remote\//, /^providers\/[^/]+\/diff\.ts$/,
  /^profile\/(schema|fields|rules|effective|migrate|validate|cidr|json-schema|paths)\.ts$/, /^lib\/secret\.ts$/,
  /^vault\/(keys|vault-yaml|age-header|recipients-file|identity-file|generate|rotation|redeploy-record|fingerprint)\.ts$/,
  /^sandbox\/(recipes|labels|sandbox-profile)\.ts$/];
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|child_process|http|https|dgram|os|tty|readline)$|^(ssh2|node-ssh|listr2|ink|react|@inkjs\/ui|@inquirer\/prompts|age-encryption)$/;
const IMPURE_CALLS = /process\.env|process\.argv|Date\.now\(|new Date\(|Math\.random\(|randomBytes|randomUUID|getRandomValues|process\.exit/;

/** Which folders may import a package at all. */
const PACKAGE_HOMES: [RegExp, RegExp][] = [
  [/^listr2$/, /^tasks\//],
  [/^(ink|react|@inkjs\/ui|ink-testing-library)$/, /^ui\//],
  [/^(node-ssh|ssh2)$/, /^ssh\//],
  [/^age-encryption$/, /^vault\//],
];

/**
 * Layers of the engine (DESIGN §3): the engine knows no adapter, plan/ knows no engine, and the
 * view (tasks/) sees the engine only through types. [folder of the importer, forbidden targets].
 */
const LAYERS: [RegExp, RegExp][] = [
  [/^engine\//, /^(ssh|tasks|commands|run|session|cli|ui|vault|providers)\//],
  [/^plan\//, /^(engine|steps|ssh|tasks|commands|run|session|cli|ui|profile)\//],
  [/^steps\//, /^(engine|ssh|tasks|commands|run|session|cli|ui)\//],
  // Smoke planning and judging: data in, data out; the runner (run/smoke-run.ts) does the I/O.
  [/^smoke\//, /^(engine|ssh|tasks|commands|run|session|cli|ui|vault|providers)\//],
  // The remote scripts (src/remote, generated from its .sh files) are data: shell/ may use them.
  [/^shell\//, /^(?!lib\/secret\.ts$)(?!shell\/)(?!remote\/)/],
  // ...and they import nothing.
  [/^remote\//, /^/],
  [/^ssh\//, /^(tasks|commands|run|session|cli|ui)\//],
  // Contracts are types every layer shares; they know nothing above lib/.
  [/^contracts\//, /^(?!lib\/)(?!contracts\/)/],
  // Session wiring (profile, vault, pool) is what running logic and commands stand on, not the reverse.
  [/^session\//, /^(run|commands|cli|ui|tasks)\//],
  // Running logic serves commands; it never reaches up to them or to the terminal.
  [/^run\//, /^(commands|cli|ui)\//],
];

describe('architecture', () => {
  it('reads the import graph', () => {
    expect(edges.length).toBeGreaterThan(20);
  });

  it('keeps pure code free of I/O, clock, environment and randomness', () => {
    const bad: string[] = [];
    for (const { file, text } of sources) {
      if (!PURE.some((re) => re.test(file))) continue;
      for (const e of edges.filter((x) => x.file === file && !x.typeOnly)) if (IO_MODULES.test(e.target)) bad.push(`${file} imports ${e.target}`);
      const hit = IMPURE_CALLS.exec(code(text));
      if (hit) bad.push(`${file} uses ${hit[0]}`);
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycle between top-level folders, type imports included', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('lets nothing outside cli/ import cli/, not even a type, except main.ts', () => {
    const bad = edges.filter((e) => /^cli\//.test(e.target) && !/^(cli\/|main\.ts$)/.test(e.file));
    expect(bad.map((e) => `${e.file} → ${e.target}${e.typeOnly ? ' (type)' : ''}`)).toEqual([]);
  });

  it('asks terminal questions only in the UI layer: @inquirer/prompts in cli/ or ui/ alone', () => {
    const bad = edges.filter((e) => e.target === '@inquirer/prompts' && !/^(cli|ui)\//.test(e.file));
    expect(bad.map((e) => `${e.file} imports ${e.target}`)).toEqual([]);
  });

  it('installs a SIGINT handler in one file at most (one owner decides what Ctrl-C does)', () => {
    const owners = sources.filter((s) => /process\.(on|once|addListener|prependListener|prependOnceListener)\(\s*['"]SIGINT['"]/.test(withoutComments(s.text))).map((s) => s.file);
    expect(owners.length > 1 ? owners : []).toEqual([]);
  });

  it('lets only cli/ and main.ts import cli/, ui/ and commands/ (types excepted)', () => {
    const bad = edges.filter(
      (e) => !e.typeOnly && /^(cli|ui|commands)\//.test(e.target) && !/^(cli\/|main\.ts)/.test(e.file) && !(top(e.file) === top(e.target)),
    );
    expect(bad.map((e) => `${e.file} → ${e.target}`)).toEqual([]);
  });

  it('keeps ui/ to views: no commands, running logic, session, engine, tasks, ssh, providers or vault at run time', () => {
    const bad = edges.filter((e) => e.file.startsWith('ui/') && !e.typeOnly && /^(commands|run|session|engine|tasks|ssh|providers|vault)\//.test(e.target));
    expect(bad.map((e) => `${e.file} → ${e.target}`)).toEqual([]);
  });

  it('keeps each heavy package in its one home folder', () => {
    const bad: string[] = [];
    for (const e of edges) {
      if (!isPackage(e.target)) continue;
      for (const [pkg, home] of PACKAGE_HOMES) if (pkg.test(e.target) && !home.test(e.file)) bad.push(`${e.file} imports ${e.target}`);
    }
    expect(bad).toEqual([]);
  });

  it('loads the vault for a profile only when it is encrypted (no static import from load-profile or profile commands)', () => {
    const statics = edges.filter((e) => /^(session\/load-profile|commands\/profile-[a-z]+)\.ts$/.test(e.file) && !e.typeOnly && !e.dynamic && (/^vault\//.test(e.target) || e.target === 'age-encryption' || e.target === 'session/vault-access.ts'));
    expect(statics.map((e) => `${e.file} → ${e.target}`)).toEqual([]);
    expect(edges.some((e) => e.file === 'session/load-profile.ts' && e.dynamic && e.target === 'vault/profile-file.ts')).toBe(true);
  });

  it('keeps the engine layers apart: engine knows no adapter, plan no engine, shell only itself and Secret', () => {
    const bad = edges.filter((e) => !isPackage(e.target) && LAYERS.some(([from, to]) => from.test(e.file) && to.test(e.target)));
    expect(bad.map((e) => `${e.file} → ${e.target}`)).toEqual([]);
  });

  it('lets tasks/ (the view) see the engine through types only', () => {
    const bad = edges.filter((e) => e.file.startsWith('tasks/') && !e.typeOnly && /^(engine|ssh|commands|run|session)\//.test(e.target));
    expect(bad.map((e) => `${e.file} → ${e.target}`)).toEqual([]);
  });

  it('calls process.exit nowhere in src/ (bin/ sets the exit code)', () => {
    expect(sources.filter((s) => /process\.exit\(/.test(code(s.text))).map((s) => s.file)).toEqual([]);
  });

  it('names files in kebab-case', () => {
    expect(sources.map((s) => path.basename(s.file)).filter((n) => !/^[a-z0-9]+(-[a-z0-9]+)*\.tsx?$/.test(n))).toEqual([]);
  });
});
