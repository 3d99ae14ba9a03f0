import type { Step } from '../../plan/step.js';
import { sshRules } from '../vpn/tailscale.js';
import { sh, type HardenContext } from './context.js';
import { FIREWALL_APPLY, FIREWALL_CHECK, FIREWALL_RULE_ABSENT } from '../../remote/generated-scripts.js';

/** The allow list, in the exact form `ufw show added` prints it. */
export function firewallRules(ctx: HardenContext): string[] {
  const rules = [`ufw allow ${ctx.toPort}/tcp`];
  const publicSite = ctx.has('caddy') || ctx.has('headscale');
  if (publicSite && (ctx.profile.access.mode === 'public' || ctx.has('headscale'))) {
    if (ctx.profile.domain.tls === 'acme-http' || ctx.profile.access.mode === 'public') rules.push('ufw allow 80/tcp');
    rules.push('ufw allow 443/tcp', 'ufw allow 443/udp');
  } else if (publicSite) {
    const cidr = ctx.profile.vpn.cidr;
    rules.push(`ufw allow from ${cidr} to any port 443 proto tcp`, `ufw allow from ${cidr} to any port 443 proto udp`);
  }
  if (ctx.has('tailscale')) rules.push('ufw allow 41641/udp');
  if (ctx.has('headscale')) rules.push('ufw allow 3478/udp');
  return rules;
}

export function firewallSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('ufw')) return [];
  const rules = firewallRules(ctx);
  const ssh = sshRules(ctx.toPort, ctx.profile.vpn.cidr);
  const vpnOnly = ctx.profile.access.mode === 'vpn-only' && ctx.has('tailscale');
  const args = [rules.join('\n'), String(ctx.fromPort), vpnOnly ? ssh.vpn : '', ssh.public];
  const steps: Step[] = [
    {
      id: 'harden.firewall.rules',
      describe: `Firewall: deny incoming, allow ${rules.map((r) => r.replace(/^ufw allow /, '')).join(', ')}`,
      host: ctx.host.name,
      check: { argv: sh(FIREWALL_CHECK, ...args) },
      apply: [{ argv: sh(FIREWALL_APPLY, ...args) }],
      guard: { seconds: 180, revert: [{ argv: ['ufw', '--force', 'disable'] }] },
      prove: 'current',
      risk: 'disruptive',
      effect: 'update',
    },
  ];
  return steps;
}

/** After the new SSH port is proven, the old one closes: the last step of the move. */
export function closeOldPortStep(ctx: HardenContext): Step | undefined {
  if (!ctx.has('ufw') || ctx.fromPort === ctx.toPort) return undefined;
  const rule = `ufw allow ${ctx.fromPort}/tcp`;
  return {
    id: 'harden.firewall.close-old-ssh-port',
    describe: `Close the old SSH port ${ctx.fromPort}`,
    host: ctx.host.name,
    // A firewall that is not on yet has no rules at all: that is not "closed" (the plan of a fresh host shows this step).
    check: { argv: sh(FIREWALL_RULE_ABSENT, rule) },
    apply: [{ argv: ['ufw', 'delete', 'allow', `${ctx.fromPort}/tcp`] }],
    guard: { seconds: 180, revert: [{ argv: ['ufw', 'allow', `${ctx.fromPort}/tcp`] }] },
    prove: { port: ctx.toPort, user: ctx.admin },
    risk: 'disruptive',
    effect: 'delete',
  };
}
