import type { EffectiveService } from '../profile/effective.js';
import type { Profile } from '../profile/schema.js';

/** `<subdomain>.<domain>` of a service with a site. */
export function siteName(profile: Profile, service: EffectiveService): string | undefined {
  return service.subdomain === undefined ? undefined : `${service.subdomain}.${profile.domain.name}`;
}
