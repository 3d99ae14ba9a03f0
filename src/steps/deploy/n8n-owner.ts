import { WizardError } from '../../errors.js';
import type { Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import type { MaybeSecret } from '../../render/service-env.js';
import { N8N_OWNER, ON_CONTAINER } from '../../remote/generated-scripts.js';
import { shScript } from '../../shell/script.js';

const sh = (script: string, ...args: string[]): string[] => shScript(script, 'homelab-wizard', args);

/**
 * `docker exec` into the project's n8n container (found by its compose labels, whatever release
 * started it) running src/remote/n8n-owner.sh there with the arguments given; `-i` so the
 * password reaches it on stdin.
 */
export function n8nOwnerCommand(project: string, ...args: string[]): string[] {
  return sh(ON_CONTAINER, `${project}-infra`, project, 'n8n', 'exec', '-i', '{}', 'sh', '-c', N8N_OWNER, 'sh', ...args);
}

/**
 * n8n's owner account on first deploy (vpai §4.10 n8n-provision 1), through n8n's own REST API
 * after the apps stack is up: the check asks `/rest/settings` whether the owner is set up, the
 * apply posts `/rest/owner/setup` with `admins.n8nOwner` and the vault's `n8n.ownerPassword`
 * (stdin, base64). Until then n8n shows its setup page to whoever reaches it first, who becomes
 * the owner: a host with n8n and no owner in the profile is refused, not deployed half-open.
 * An owner that exists is never changed here (n8n keeps its password in its own database).
 */
export function n8nOwnerSteps(profile: Profile, host: Host, services: readonly string[], secret: MaybeSecret): Step[] {
  if (!services.includes('n8n')) return [];
  const owner = profile.admins.n8nOwner;
  if (owner === undefined) {
    throw new WizardError(
      'profile-invalid',
      `${host.name}: admins.n8nOwner is missing (n8n would show its setup page to whoever reaches it first)`,
      'set admins.n8nOwner (email, firstName, lastName) in the profile, or run `homelab-wizard init` again, then run the command again',
    );
  }
  const password = secret('n8n.ownerPassword');
  if (password === undefined) {
    throw new WizardError('secret-missing', `${host.name}: the vault has no n8n.ownerPassword`, 'run `homelab-wizard secrets set n8n.ownerPassword --generate`, then run the command again');
  }
  const project = profile.project.name;
  return [
    {
      id: 'deploy.n8n.owner',
      describe: `n8n owner account ${owner.email} (${owner.firstName} ${owner.lastName}), set up through n8n's API`,
      host: host.name,
      check: { argv: n8nOwnerCommand(project, 'check') },
      checkReports: true,
      apply: [
        {
          argv: n8nOwnerCommand(project, 'setup', owner.email, owner.firstName, owner.lastName),
          stdin: password.map((p) => `${Buffer.from(p, 'utf8').toString('base64')}\n`),
        },
      ],
      risk: 'safe',
      effect: 'create',
    },
  ];
}
