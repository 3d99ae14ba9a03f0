import { serviceName } from '../../profile/effective.js';
import type { Host, Profile } from '../../profile/schema.js';
import { BUILTIN_TEMPLATES, type Templates } from '../../render/templates.js';
import { shScript } from '../../shell/script.js';

/** What every harden builder reads: the profile, the host, and a few derived facts. */
export interface HardenContext {
  readonly profile: Profile;
  readonly host: Host;
  readonly admin: string;
  readonly home: string;
  /** Port sshd listens on before hardening, and after. */
  readonly fromPort: number;
  readonly toPort: number;
  has(service: string): boolean;
  /** The text configuration templates, the user's overrides included. */
  readonly templates: Templates;
}

export function hardenContext(profile: Profile, host: Host, templates: Templates = BUILTIN_TEMPLATES): HardenContext {
  const ids = new Set(host.services.map(serviceName));
  return {
    profile,
    host,
    admin: host.ssh.adminUser,
    home: `/home/${host.ssh.adminUser}`,
    fromPort: host.ssh.port,
    toPort: host.ssh.targetPort,
    has: (service) => ids.has(service),
    templates,
  };
}

/** A step's `sh -c` script with values as positional parameters, never spliced into the text. */
export function sh(script: string, ...args: string[]): string[] {
  return shScript(script, 'homelab-wizard', args);
}
