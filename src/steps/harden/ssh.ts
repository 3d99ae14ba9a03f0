import type { Step } from '../../plan/step.js';
import { configToken, renderTemplate } from '../../render/templates.js';
import { sh, type HardenContext } from './context.js';
import { SSHD_BACK_TO_TRANSITION, SSHD_CONFIG_APPLY, SSHD_CONFIG_CHECK, SSHD_PORT_LISTENING, SSHD_REMOVE_RELOAD, SSHD_TRANSITION_APPLY } from '../../remote/generated-scripts.js';

/**
 * For most keywords sshd keeps the FIRST value it reads, and it reads the drop-ins in name order:
 * ours must sort before the provider's (`00-provider.conf`, `50-cloud-init.conf` with
 * `PasswordAuthentication yes` on Ubuntu images). The check reads the effective values with
 * `sshd -T`, so a file that still wins is reported instead of silently ignored.
 */
export const SSHD_DROPIN = '/etc/ssh/sshd_config.d/00-homelab-wizard.conf';
/** Listens on both ports while the new one is proven; removed once it is. */
export const SSHD_TRANSITION = '/etc/ssh/sshd_config.d/00-homelab-wizard-transition.conf';

/** The effective settings the drop-in must produce, as `sshd -T` prints them. */
export function sshdEffective(ctx: HardenContext): string[] {
  return ['permitrootlogin no', 'passwordauthentication no', 'kbdinteractiveauthentication no', 'pubkeyauthentication yes', `allowusers ${ctx.admin}`];
}

/** The drop-in (templates/ssh/sshd-hardening.conf.eta). */
export function sshdConfig(ctx: HardenContext): string {
  return renderTemplate(ctx.templates, 'ssh/sshd-hardening.conf.eta', { port: ctx.toPort, admin: configToken(`hosts[${ctx.host.name}].ssh.adminUser`, ctx.admin) });
}

/**
 * The lockout-safe move (DESIGN §4): listen on both ports, prove the new one from a second
 * connection, only then apply the final configuration, prove again, and close the old port.
 * Every risky change is guarded: a timer on the host reverts it unless access is proven in time.
 */
export function sshSteps(ctx: HardenContext): Step[] {
  const { fromPort, toPort, admin } = ctx;
  const steps: Step[] = [];
  if (fromPort !== toPort) {
    steps.push({
      id: 'harden.ssh.new-port',
      describe: `sshd also listens on ${toPort}, proven from a second connection before anything closes`,
      host: ctx.host.name,
      check: { argv: sh(SSHD_PORT_LISTENING, String(toPort)) },
      apply: [
        { argv: sh(SSHD_TRANSITION_APPLY, SSHD_TRANSITION, String(fromPort), String(toPort)) },
      ],
      guard: { seconds: 180, revert: [{ argv: sh(SSHD_REMOVE_RELOAD, SSHD_TRANSITION) }], keepIf: { argv: ['sshd', '-t'] } },
      prove: { port: toPort, user: admin },
      risk: 'disruptive',
      effect: 'update',
    });
  }
  steps.push({
    id: 'harden.ssh.config',
    describe: `sshd: port ${toPort} only, no root login, no passwords, AllowUsers ${admin} (checked by sshd -t before reload)`,
    host: ctx.host.name,
    check: {
      argv: sh(SSHD_CONFIG_CHECK, SSHD_TRANSITION, String(toPort), ...sshdEffective(ctx)),
    },
    files: [{ path: SSHD_DROPIN, mode: '0644', owner: 'root:root', content: sshdConfig(ctx) }],
    apply: [
      // A Port line in the main file would keep the old port open next to ours.
      { argv: sh(SSHD_CONFIG_APPLY, SSHD_TRANSITION, SSHD_DROPIN) },
    ],
    verify: { argv: ['sshd', '-t'] },
    guard: {
      seconds: 180,
      // Back to the state before this step: the defaults, listening where it listened.
      revert: [
        fromPort === toPort
          ? { argv: sh(SSHD_REMOVE_RELOAD, SSHD_DROPIN) }
          : { argv: sh(SSHD_BACK_TO_TRANSITION, SSHD_DROPIN, SSHD_TRANSITION, String(fromPort), String(toPort)) },
      ],
      keepIf: { argv: ['sshd', '-t'] },
    },
    prove: { port: toPort, user: admin },
    risk: 'disruptive',
    effect: 'update',
  });
  return steps;
}
