import type { Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { directoryStep } from '../directory.js';
import { hostLayout } from '../host-layout.js';

/** The note left on each host, so whoever logs in knows what owns the folder. */
export function hostReadme(profile: Profile, host: Host): string {
  const layout = hostLayout(profile);
  return [
    `This folder is managed by homelab-wizard (project '${profile.project.name}', host '${host.name}').`,
    '',
    'Changes made here by hand are reported as drift by `homelab-wizard status` and undone by',
    'the next `homelab-wizard apply`. Change the profile instead, then run `homelab-wizard plan`.',
    '',
    `  releases/   rendered compose files and configs, one folder per release (for rollback)`,
    `  data/       service data; never touched by rollback`,
    `  audit.log   one JSON line per run: who, when, command, plan digest, result`,
    `  lock/       present while a run is changing this host (owner, pid, start time inside)`,
    '',
    `Project folder: ${layout.project}`,
    '',
  ].join('\n');
}

/**
 * The first deploy steps: the host layout of DESIGN §4. The project folder itself is created by
 * the engine together with the lock (every run needs it, whatever the phases), so it is not a step.
 * releases/ is 0750 because releases hold env files; data/ is 0755 so that services running as
 * their own users can reach their subfolders.
 */
export function layoutSteps(profile: Profile, host: Host): Step[] {
  const layout = hostLayout(profile);
  return [
    directoryStep({ id: 'deploy.layout.releases', describe: 'Folder for releases (0750 root:root)', host: host.name, path: layout.releases, mode: '0750', owner: 'root', group: 'root' }),
    directoryStep({ id: 'deploy.layout.data', describe: 'Folder for service data (0755 root:root)', host: host.name, path: layout.data, mode: '0755', owner: 'root', group: 'root' }),
    {
      id: 'deploy.layout.readme',
      describe: 'README saying which tool manages the folder',
      host: host.name,
      check: null,
      files: [{ path: layout.readme, mode: '0644', owner: 'root:root', content: hostReadme(profile, host) }],
      apply: [],
      risk: 'safe',
    },
  ];
}
