import type { Profile } from '../profile/schema.js';

/** Where the project lives on every host (DESIGN §4): `<deploy.root>/<project>/…`. */
export interface HostLayout {
  readonly project: string;
  readonly releases: string;
  readonly data: string;
  readonly readme: string;
  readonly lock: string;
  readonly audit: string;
}

export function hostLayout(profile: Pick<Profile, 'deploy' | 'project'>): HostLayout {
  const project = `${profile.deploy.root}/${profile.project.name}`;
  return {
    project,
    releases: `${project}/releases`,
    data: `${project}/data`,
    readme: `${project}/README`,
    lock: `${project}/lock`,
    audit: `${project}/audit.log`,
  };
}
