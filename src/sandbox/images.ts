import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { WizardError } from '../errors.js';
import { packageRoot } from '../lib/package-root.js';
import type { DockerCli } from './docker-cli.js';
import { runProgram } from './docker-cli.js';
import { BASE_IMAGE, imageRecipes, RECIPE_LABEL, ROOTFS_LABEL, SUITE, type ImageRecipe } from './recipes.js';

/** templates/sandbox in the installed package (from src/, dist/ or the bundle in dist/bundle/). */
export const TEMPLATES_DIR = `${path.join(packageRoot(import.meta.url), 'templates', 'sandbox')}${path.sep}`;

export type Log = (line: string) => void;

export interface ImageOptions {
  readonly cacheDir: string;
  /** Debian mirror for debootstrap, e.g. http://deb.debian.org/debian. */
  readonly mirror: string;
  readonly log: Log;
  /** The current time, for the weekly refresh of the base root file system. */
  readonly now: Date;
}

export function sandboxCacheDir(env: NodeJS.ProcessEnv): string {
  if (env['HLW_SANDBOX_CACHE']) return env['HLW_SANDBOX_CACHE'];
  return path.join(env['XDG_CACHE_HOME'] || path.join(homedir(), '.cache'), 'homelab-wizard', 'sandbox');
}

/** The Debian mirror this machine's apt uses, so debootstrap and the servers' apt reach the same one. */
export async function debianMirror(env: NodeJS.ProcessEnv): Promise<string> {
  if (env['HLW_SANDBOX_MIRROR']) return env['HLW_SANDBOX_MIRROR'].replace(/\/+$/, '');
  const files = ['/etc/apt/sources.list'];
  for (const dir of ['/etc/apt/sources.list.d']) {
    try {
      for (const name of await readdir(dir)) if (/\.(list|sources)$/.test(name)) files.push(path.join(dir, name));
    } catch {
      // no such folder: not a Debian machine; the default mirror below is used
    }
  }
  for (const file of files) {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const match = /(https?:\/\/[^\s]+\/debian)\/?(\s|$)/.exec(text.split('\n').filter((l) => /^(URIs:|deb )/.test(l.trim())).join('\n'));
    if (match?.[1]) return match[1];
  }
  return 'http://deb.debian.org/debian';
}

/** ISO week key (e.g. 2026-w48): the base root file system is rebuilt weekly so security updates arrive. */
export function weekKey(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-w${String(week).padStart(2, '0')}`;
}

async function imageLabel(docker: DockerCli, image: string, label: string): Promise<string | undefined> {
  const result = await docker.run(['image', 'inspect', '-f', `{{index .Config.Labels "${label}"}}`, image], { allowFail: true });
  if (result.code !== 0) return undefined;
  const value = result.stdout.trim();
  return value === '' || value === '<no value>' ? undefined : value;
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * The base image, imported from a debootstrap tarball. Re-imported only when the tarball changes:
 * every import makes a new image ID, which would invalidate the build cache of every image on top.
 */
export async function ensureBaseImage(docker: DockerCli, options: ImageOptions): Promise<string> {
  const week = weekKey(options.now);
  const current = await imageLabel(docker, BASE_IMAGE, ROOTFS_LABEL);
  if (current?.startsWith(`${week}:`)) return current;

  const debootstrap = ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].find((p) => existsSync(p));
  const isRoot = process.getuid?.() === 0;
  if (!debootstrap || !isRoot) {
    if (current) {
      options.log(`base image kept (built ${current.split(':')[0]}; debootstrap as root is needed to refresh it)`);
      return current;
    }
    throw new WizardError(
      'sandbox-build',
      `cannot build the sandbox base image: ${!debootstrap ? 'debootstrap is not installed' : 'debootstrap needs root'}`,
      'run it once as root on Debian or Ubuntu with debootstrap installed (apt-get install debootstrap), e.g. `sudo homelab-wizard sandbox up`',
    );
  }
  const dir = path.join(options.cacheDir, 'rootfs');
  await mkdir(dir, { recursive: true });
  const tarball = path.join(dir, `${SUITE}-minbase-${week}.tar`);
  if (!existsSync(tarball)) {
    options.log(`building the base root file system (debootstrap ${SUITE} minbase from ${options.mirror}, about 30 s)`);
    const script = path.join(TEMPLATES_DIR, 'base', 'make-rootfs.sh');
    const result = await runProgram('/bin/bash', [script, SUITE, options.mirror, tarball], 15 * 60_000);
    if (result.code !== 0) {
      throw new WizardError('sandbox-build', `debootstrap of ${SUITE} failed: ${result.stderr.trim().split('\n').slice(-2).join(' / ')}`, `check that ${options.mirror} is reachable (set HLW_SANDBOX_MIRROR to another Debian mirror)`);
    }
  }
  for (const name of await readdir(dir)) if (name !== path.basename(tarball) && name.endsWith('.tar')) await rm(path.join(dir, name), { force: true });
  const label = `${week}:${(await sha256File(tarball)).slice(0, 16)}`;
  if (current === label) return label;
  options.log('importing the base image');
  await docker.run(['import', '--change', 'CMD ["/bin/bash"]', '--change', 'ENV LANG=C.UTF-8', '--change', `LABEL ${ROOTFS_LABEL}=${label}`, tarball, BASE_IMAGE], { timeoutMs: 10 * 60_000 });
  return label;
}

/** Hash of everything a recipe builds from; the parent's hash is part of it, so a new base rebuilds all. */
export async function recipeHash(recipe: ImageRecipe, parentHash: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`parent ${parentHash}\n`);
  hash.update(await readFile(path.join(TEMPLATES_DIR, recipe.dockerfile)));
  for (const [name, source] of Object.entries(recipe.files).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`\nfile ${name}\n`);
    hash.update(await readFile(path.join(TEMPLATES_DIR, source)));
  }
  for (const [key, value] of Object.entries(recipe.buildArgs).sort(([a], [b]) => a.localeCompare(b))) hash.update(`\narg ${key}=${value}`);
  return hash.digest('hex').slice(0, 24);
}

async function buildRecipe(docker: DockerCli, recipe: ImageRecipe, parentImage: string, hash: string, log: Log): Promise<void> {
  const context = await mkdtemp(path.join(tmpdir(), 'hlw-sandbox-build-'));
  try {
    await copyFile(path.join(TEMPLATES_DIR, recipe.dockerfile), path.join(context, 'Dockerfile'));
    for (const [name, source] of Object.entries(recipe.files)) await copyFile(path.join(TEMPLATES_DIR, source), path.join(context, name));
    const args = ['build', '--force-rm', '--label', `${RECIPE_LABEL}=${hash}`, '--build-arg', `${recipe.fromArg}=${parentImage}`];
    for (const [key, value] of Object.entries(recipe.buildArgs)) args.push('--build-arg', `${key}=${value}`);
    const result = await docker.run([...args, '-t', recipe.image, context], { allowFail: true, timeoutMs: 20 * 60_000 });
    if (result.code !== 0) {
      const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-4).join(' / ');
      throw new WizardError('sandbox-build', `building the sandbox image ${recipe.id} failed: ${tail}`, 'check that the Debian mirror is reachable from containers; run again with --verbose');
    }
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  log(`built ${recipe.image}`);
}

export interface BuiltImages {
  readonly recipes: readonly ImageRecipe[];
  readonly built: readonly string[];
}

/** Builds every image whose recipe changed since it was built (a content hash label), parents first. */
export async function ensureImages(docker: DockerCli, options: ImageOptions): Promise<BuiltImages> {
  const baseLabel = await ensureBaseImage(docker, options);
  const recipes = imageRecipes();
  const hashes = new Map<string, string>([['base', baseLabel]]);
  const images = new Map<string, string>([['base', BASE_IMAGE]]);
  const built: string[] = [];
  for (const recipe of recipes) {
    const parentHash = hashes.get(recipe.parent);
    const parentImage = images.get(recipe.parent);
    if (parentHash === undefined || parentImage === undefined) throw new Error(`recipe ${recipe.id}: parent ${recipe.parent} comes later`);
    const hash = await recipeHash(recipe, parentHash);
    hashes.set(recipe.id, hash);
    images.set(recipe.id, recipe.image);
    if ((await imageLabel(docker, recipe.image, RECIPE_LABEL)) === hash) continue;
    options.log(`building ${recipe.image}${recipe.standIn ? ' (stand-in)' : ''}`);
    await buildRecipe(docker, recipe, parentImage, hash, options.log);
    built.push(recipe.id);
  }
  // Only our own superseded images (they carry the recipe label); never anyone else's.
  if (built.length > 0) await docker.run(['image', 'prune', '-f', '--filter', `label=${RECIPE_LABEL}`], { allowFail: true });
  return { recipes, built };
}
