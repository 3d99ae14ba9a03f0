import type { EngineSetup } from '../session/engine-setup.js';

/** Kept apart from cloud-phases.ts so a run without cloud work never loads the vault's code. */
export function wantsProvision(setup: EngineSetup): boolean {
  return setup.phases.includes('provision') && setup.work.some((w) => w.host.provider.kind === 'hetzner');
}

export function wantsDns(setup: EngineSetup): boolean {
  return setup.phases.includes('dns') && setup.profile.domain.dnsProvider === 'ovh';
}

export function hasCloudWork(setup: EngineSetup): boolean {
  return wantsProvision(setup) || wantsDns(setup);
}
