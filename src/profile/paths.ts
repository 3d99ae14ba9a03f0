import path from 'node:path';

/** Where the files of one profile live inside a project folder (DESIGN §2). */
export interface ProfilePaths {
  readonly plain: string;
  readonly encrypted: string;
  readonly vault: string;
  readonly recipients: string;
  readonly knownHosts: string;
}

/** A profile's name is part of file paths: a lower-case letter, then up to 31 letters, digits or inner dashes. */
export const PROFILE_NAME_RE = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const PROFILE_FILE_RE = /^([a-z](?:[a-z0-9-]{0,30}[a-z0-9])?)\.yaml(\.age)?$/;

export function profilePaths(dir: string, name: string): ProfilePaths {
  return {
    plain: path.join(dir, 'profiles', `${name}.yaml`),
    encrypted: path.join(dir, 'profiles', `${name}.yaml.age`),
    vault: path.join(dir, 'vault', `${name}.age`),
    recipients: path.join(dir, 'vault', `${name}.recipients`),
    knownHosts: path.join(dir, 'profiles', `${name}.known_hosts`),
  };
}
