import type { Step } from '../../plan/step.js';
import type { Host, Profile } from '../../profile/schema.js';
import { BUILTIN_TEMPLATES, type Templates } from '../../render/templates.js';
import { adminSteps } from './admin.js';
import { hardenContext } from './context.js';
import { crowdsecSteps } from './crowdsec.js';
import { dockerSteps } from './docker.js';
import { fail2banSteps } from './fail2ban.js';
import { closeOldPortStep, firewallSteps } from './firewall.js';
import { packagesStep } from './packages.js';
import { platformStep } from './platform.js';
import { sshSteps } from './ssh.js';
import { sysctlStep } from './sysctl.js';
import { timeLocaleSteps } from './time-locale.js';
import { unattendedUpgradesSteps } from './unattended-upgrades.js';

/**
 * The harden phase, in an order that never locks the operator out (after the check that the host
 * runs the system the profile was written for): the admin user and its sudo
 * rule exist before root login is turned off; the firewall allows the new SSH port before sshd
 * listens on it; the old port closes last, after the new one is proven.
 */
export function hardenSteps(profile: Profile, host: Host, templates: Templates = BUILTIN_TEMPLATES): Step[] {
  const ctx = hardenContext(profile, host, templates);
  const close = closeOldPortStep(ctx);
  return [
    platformStep(ctx),
    packagesStep(ctx),
    ...adminSteps(ctx),
    sysctlStep(ctx),
    ...timeLocaleSteps(ctx),
    ...unattendedUpgradesSteps(ctx),
    ...firewallSteps(ctx),
    ...sshSteps(ctx),
    ...(close ? [close] : []),
    ...fail2banSteps(ctx),
    ...dockerSteps(ctx),
    ...crowdsecSteps(ctx),
  ];
}
