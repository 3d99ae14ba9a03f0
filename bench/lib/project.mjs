// A project folder (profile + vault) for sandbox servers: a small stack per host (hardening, Caddy
// and Redis), written the way `sandbox up` writes its profile copy (sandboxProfile), and the CLI
// run against it as an operator runs it (the built bin/homelab-wizard.js).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { runTimed } from './timing.mjs';

export const STACK = ['docker', 'ufw', 'fail2ban', 'unattended-upgrades', 'caddy', 'redis'];

export async function makeProject(repo, bed, servers, name = 'bench') {
  const dist = (p) => import(pathToFileURL(path.join(repo, 'dist', p)).href);
  const { sandboxProfile, sandboxProfileName } = await dist('sandbox/sandbox-profile.js');
  const { validateProfile } = await dist('profile/validate.js');
  const { missingSecrets } = await dist('vault/generate.js');
  const { createVault } = await dist('vault/vault.js');
  const { generateIdentity, identityToRecipient } = await import('age-encryption');
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-bench-project-'));
  mkdirSync(path.join(dir, 'profiles'));
  const raw = {
    schemaVersion: 1,
    project: { name, displayName: 'Benchmark' },
    domain: { name: 'example.com', tls: 'internal' },
    operator: { sshPublicKeys: [bed.publicKey] },
    hosts: servers.map((s) => ({ name: s.host, role: 'app-server', address: s.address, ssh: { port: 22, targetPort: 2222, user: 'root', adminUser: 'deploy' }, services: STACK })),
    notifications: { method: 'email', email: 'ops@example.com' },
  };
  const profileName = sandboxProfileName(name);
  const doc = sandboxProfile(raw, name, servers.map((s) => ({ host: s.host, address: s.address })), { publicKeys: [bed.publicKey], identityFile: bed.privateKeyPath });
  writeFileSync(path.join(dir, 'profiles', `${profileName}.yaml`), stringify(doc));
  const v = validateProfile(doc);
  if (!v.ok) throw new Error(`bench profile invalid: ${JSON.stringify(v.issues)}`);
  const identity = await generateIdentity();
  const secrets = missingSecrets(v.profile, [], (n) => randomBytes(n)).map((g) => [g.key, g.value]);
  await createVault(dir, profileName, secrets, [await identityToRecipient(identity)]);
  const env = { ...process.env, NO_COLOR: '1', CI: '1', HOMELAB_WIZARD_IDENTITY: identity, HOMELAB_WIZARD_SSH_KEY: bed.privateKeyPath };
  const bin = path.join(repo, 'bin/homelab-wizard.js');
  return {
    dir,
    profileName,
    projectName: doc.project.name,
    identity,
    /** The validated profile and the vault's secrets, for bench/lib/probe-checks.mjs. */
    profile: v.profile,
    secrets: new Map(secrets),
    cli: (args, options = {}) => runTimed(process.execPath, [bin, '--dir', dir, '--profile', profileName, ...args], { env, timeoutMs: options.timeoutMs ?? 900_000, input: options.input, cpu: options.cpu }),
    knownHosts: path.join(dir, 'profiles', `${profileName}.known_hosts`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
