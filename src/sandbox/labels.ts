/** Names and labels of what the sandbox creates in Docker (pure). Cleanup finds things by label, never by name alone. */
export const LABEL = 'org.homelab-wizard.sandbox';
export const LABEL_BED = 'org.homelab-wizard.sandbox.bed';
export const LABEL_ROLE = 'org.homelab-wizard.sandbox.role';
export const LABEL_HOST = 'org.homelab-wizard.sandbox.host';
/** `user` for `homelab-wizard sandbox up`, `test` for the test suites (CI cleans up only those). */
export const LABEL_ORIGIN = 'org.homelab-wizard.sandbox.origin';
export const LABEL_PROFILE = 'org.homelab-wizard.sandbox.profile';

export const REGISTRY_CONTAINER = 'hlw-sandbox-registry';
export const REGISTRY_VOLUME = 'hlw-sandbox-registry-data';
/** The registry's name on every bed network; sandbox servers' Docker uses it as a mirror. */
export const REGISTRY_ALIAS = 'sandbox-registry';
export const REGISTRY_INNER = `${REGISTRY_ALIAS}:5000`;
export const DEFAULT_REGISTRY_PORT = 5000;
export const DEFAULT_SUBNET = '172.31.213.0/24';

export type Origin = 'user' | 'test';

export const BED_NAME_RE = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

export function networkName(bed: string): string {
  return `hlw-sandbox-${bed}`;
}

export function serverContainer(bed: string, host: string): string {
  return `hlw-${bed}-${host}`;
}

export function serverVolume(bed: string, host: string): string {
  return `hlw-${bed}-${host}-docker`;
}
