import type { Step } from '../plan/step.js';
import type { Host, Profile } from '../profile/schema.js';
import type { MaybeSecret } from '../render/service-env.js';
import type { Templates } from '../render/templates.js';
import { deploySteps } from './deploy/stack.js';
import { hardenSteps } from './harden/harden-steps.js';
import { PHASES, type Phase } from './phases.js';
import { vpnLateSteps, vpnSteps } from './vpn/vpn-steps.js';

/** What builders may read besides the profile: the vault's secrets, looked up by key. */
export interface StepContext {
  readonly secret: MaybeSecret;
  /** The text configuration templates with the user's overrides; absent: the built-in ones. */
  readonly templates?: Templates;
}

export const NO_SECRETS: StepContext = { secret: () => undefined };

/** Builds the steps of one phase for one host. Pure: profile and secrets in, steps out. */
export type PhaseBuilder = (profile: Profile, host: Host, context: StepContext) => Step[];

/**
 * Every phase and its builder. Phases whose issues have not landed yet build no steps; they are
 * listed so `--only` accepts their names and the run order is fixed in one place.
 */
export const PHASE_BUILDERS: Readonly<Record<Phase, PhaseBuilder>> = {
  provision: () => [],
  dns: () => [],
  harden: (profile, host, context) => hardenSteps(profile, host, context.templates),
  vpn: (profile, host) => vpnSteps(profile, host),
  deploy: (profile, host, context) => deploySteps(profile, host, context.secret, context.templates),
  // Smoke changes nothing, so it builds no steps (and shows nothing in `plan`): apply runs the
  // checks after the other phases, through run/smoke-run.ts, like the `smoke` command.
  smoke: () => [],
};

/**
 * The steps of a host for the chosen phases, in run order. The vpn steps that need the hub (the
 * join, vpn-only SSH) come last: the hub's Headscale is started by the deploy phase, and `apply`
 * runs them in a second round once every host's other steps are done (run/vpn-round.ts).
 */
export function hostSteps(
  profile: Profile,
  host: Host,
  phases: readonly Phase[],
  context: StepContext = NO_SECRETS,
  builders: Readonly<Record<Phase, PhaseBuilder>> = PHASE_BUILDERS,
): Step[] {
  const steps = PHASES.filter((p) => phases.includes(p)).flatMap((p) => builders[p](profile, host, context));
  return phases.includes('vpn') ? [...steps, ...vpnLateSteps(profile, host)] : steps;
}
