import { findService } from '../../catalog/catalog.js';
import type { Secret } from '../../lib/secret.js';
import type { Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { hardenContext } from '../harden/context.js';
import { hostLayout } from '../host-layout.js';
import { sshVpnOnlyStep, tailscaleJoinStep, tailscalePackageStep } from './tailscale.js';

/** A host is on the VPN when the VPN is enabled and the host runs the `tailscale` service. */
export function onVpn(profile: Profile, host: Host): boolean {
  return profile.vpn.enabled && hardenContext(profile, host).has('tailscale');
}

/** The vpn phase steps the engine runs in phase order: Tailscale installed. */
export function vpnSteps(profile: Profile, host: Host): Step[] {
  if (!onVpn(profile, host)) return [];
  const version = findService('tailscale')?.package?.version ?? 'latest';
  return [tailscalePackageStep(hardenContext(profile, host), version)];
}

/**
 * The vpn steps that need the hub: the join (its key is made on the hub over SSH) and, in
 * vpn-only mode, SSH restricted to the VPN. They run after every host's other steps, because
 * the hub's Headscale is started by the deploy phase of the same run.
 */
export function vpnLateSteps(profile: Profile, host: Host, key?: Secret): Step[] {
  if (!onVpn(profile, host) || profile.vpn.headscaleUrl === undefined) return [];
  const ctx = hardenContext(profile, host);
  const steps = [tailscaleJoinStep(ctx, profile.vpn.headscaleUrl, key, hostLayout(profile).project)];
  if (profile.access.mode === 'vpn-only' && ctx.has('ufw')) steps.push(sshVpnOnlyStep(ctx));
  return steps;
}

export const LATE_VPN_STEP_IDS: readonly string[] = ['vpn.tailscale.join', 'vpn.access.ssh-vpn-only'];

export function isLateVpnStep(step: Pick<Step, 'id'>): boolean {
  return LATE_VPN_STEP_IDS.includes(step.id);
}
