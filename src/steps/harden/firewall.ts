import type { Step } from '../../plan/step.js';
import { sshRules } from '../vpn/tailscale.js';
import { sh, type HardenContext } from './context.js';
import { UFW_ADDED, UFW_ON } from './ufw-state.js';

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

/**
 * $3/$4: in vpn-only mode, the SSH rule from the VPN range and the public SSH rule. Once the vpn
 * phase has restricted SSH to the VPN (after proving it), hardening keeps that restriction
 * instead of opening SSH to everyone again: the public rule is swapped for the VPN one.
 */
const KEEP_VPN_SSH = `if [ -n "$3" ] && printf '%s\\n' "$current" | grep -qxF -- "$3"; then
  set -- "$(printf '%s\\n' "$1" | sed "s|^$4\\$|$3|")" "$2" "$3" "$4"
fi`;

/**
 * $1: the wanted rules, one per line. $2: the SSH port used before hardening, which only the
 * close-old-port step may remove; it is (re)allowed while sshd still listens on it, so enabling
 * the firewall can never cut the connection the run is using (vpai-system L-A8).
 */
const APPLY = `set -e
ufw default deny incoming >/dev/null
ufw default allow outgoing >/dev/null
if ss -Hltn "sport = :$2" | grep -q .; then ufw allow "$2/tcp" >/dev/null; fi
current=$(ufw show added | tail -n +2)
${KEEP_VPN_SSH}
printf '%s\\n' "$1" | while IFS= read -r rule; do
  [ -n "$rule" ] || continue
  printf '%s\\n' "$current" | grep -qxF -- "$rule" || $rule >/dev/null
done
printf '%s\\n' "$current" | while IFS= read -r rule; do
  [ -n "$rule" ] || continue
  [ "$rule" = "ufw allow $2/tcp" ] && continue
  printf '%s\\n' "$1" | grep -qxF -- "$rule" && continue
  ufw delete \${rule#ufw } >/dev/null
done
ufw --force enable >/dev/null`;

/** The old SSH port's rule is tolerated (only close-old-ssh-port removes it), never required. */
const CHECK = `${UFW_ADDED}
${UFW_ON} || exit 1
current=$(ufw_added)
${KEEP_VPN_SSH}
have=$(printf '%s\\n' "$current" | sort -u)
want=$( (printf '%s\\n' "$1"; printf '%s\\n' "$have" | grep -xF "ufw allow $2/tcp") | sort -u)
[ "$have" = "$want" ]`;

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
      check: { argv: sh(CHECK, ...args) },
      apply: [{ argv: sh(APPLY, ...args) }],
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
    check: { argv: sh(`${UFW_ADDED}\n${UFW_ON} && ! ufw_added | grep -qxF -- "$1"`, rule) },
    apply: [{ argv: ['ufw', 'delete', 'allow', `${ctx.fromPort}/tcp`] }],
    guard: { seconds: 180, revert: [{ argv: ['ufw', 'allow', `${ctx.fromPort}/tcp`] }] },
    prove: { port: ctx.toPort, user: ctx.admin },
    risk: 'disruptive',
    effect: 'delete',
  };
}
