import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIdentityFile, identityProvider, type IdentityProvider } from '../../src/vault/identity.js';
import { REPO } from './profiles.js';

/** A throw-away project folder with profiles/<name>.yaml (the minimal example) and its own identity. */
export interface TempProject {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly identityFile: string;
  readonly publicKey: string;
  readonly identity: IdentityProvider;
  readonly remove: () => void;
}

const made: string[] = [];

export async function tempProject(profileName = 'p', options: { identity?: boolean } = {}): Promise<TempProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-vault-'));
  made.push(dir);
  mkdirSync(path.join(dir, 'profiles'));
  copyFileSync(path.join(REPO, 'profiles/minimal.yaml'), path.join(dir, 'profiles', `${profileName}.yaml`));
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg'), LANG: 'C.UTF-8' };
  const identityFile = path.join(dir, 'xdg', 'homelab-wizard', 'identity.txt');
  const publicKey = options.identity === false ? '' : (await createIdentityFile(identityFile, { now: new Date('2026-11-25T19:40:00Z') })).publicKey;
  return { dir, env, identityFile, publicKey, identity: identityProvider({ env }), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Another operator's identity, in a file of its own. */
export async function otherIdentity(project: TempProject, name = 'other'): Promise<{ file: string; publicKey: string; identity: IdentityProvider; env: NodeJS.ProcessEnv }> {
  const file = path.join(project.dir, `${name}-identity.txt`);
  const { publicKey } = await createIdentityFile(file, { now: new Date() });
  const env = { ...project.env, HOMELAB_WIZARD_IDENTITY: file };
  return { file, publicKey, identity: identityProvider({ env }), env };
}

export function removeTempProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
