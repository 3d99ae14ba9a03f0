import type { Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { BUILTIN_TEMPLATES, configText, renderTemplate, type Templates } from '../../render/templates.js';
import { directoryStep } from '../directory.js';
import { hostLayout } from '../host-layout.js';

/** The note left on each host, so whoever logs in knows what owns the folder. */
export function hostReadme(profile: Profile, host: Host, templates: Templates = BUILTIN_TEMPLATES): string {
  return renderTemplate(templates, 'host/README.eta', {
    project: configText('project.name', profile.project.name),
    host: configText('hosts[].name', host.name),
    // What the project is, for whoever comes across the folder: its display name and description.
    about: profile.project.description === undefined ? '' : configText('project.description', `${profile.project.displayName ?? profile.project.name}: ${profile.project.description}`),
    projectDir: configText('deploy.root', hostLayout(profile).project),
  });
}

/**
 * The first deploy steps: the host layout of DESIGN §4. The project folder itself is created by
 * the engine together with the lock (every run needs it, whatever the phases), so it is not a step.
 * releases/ is 0750 because releases hold env files; data/ is 0755 so that services running as
 * their own users can reach their subfolders.
 */
export function layoutSteps(profile: Profile, host: Host, templates: Templates = BUILTIN_TEMPLATES): Step[] {
  const layout = hostLayout(profile);
  return [
    directoryStep({ id: 'deploy.layout.releases', describe: 'Folder for releases (0750 root:root)', host: host.name, path: layout.releases, mode: '0750', owner: 'root', group: 'root' }),
    directoryStep({ id: 'deploy.layout.data', describe: 'Folder for service data (0755 root:root)', host: host.name, path: layout.data, mode: '0755', owner: 'root', group: 'root' }),
    {
      id: 'deploy.layout.readme',
      describe: 'README saying which tool manages the folder',
      host: host.name,
      check: null,
      files: [{ path: layout.readme, mode: '0644', owner: 'root:root', content: hostReadme(profile, host, templates) }],
      apply: [],
      risk: 'safe',
    },
  ];
}
