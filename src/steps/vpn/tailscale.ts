import type { Secret } from '../../lib/secret.js';
import type { Step } from '../../plan/step.js';
import { sh, type HardenContext } from '../harden/context.js';
import { FAIL, TAILSCALE_INSTALL, TAILSCALE_INSTALLED, TAILSCALE_JOIN, TAILSCALE_JOINED, VPN_SSH_ONLY_APPLY, VPN_SSH_ONLY_CHECK } from '../../remote/generated-scripts.js';

export function tailscalePackageStep(ctx: HardenContext, version: string): Step {
  return {
    id: 'vpn.tailscale.package',
    describe: `Tailscale ${version} from Tailscale's apt repository, tailscaled running`,
    host: ctx.host.name,
    check: { argv: sh(TAILSCALE_INSTALLED) },
    apply: [{ argv: sh(TAILSCALE_INSTALL, version) }],
    risk: 'safe',
    effect: 'create',
  };
}

/**
 * Join the mesh with a single-use pre-auth key made on the hub for this run. Without a key (a plan,
 * or the hub could not make one) the step can only be checked: its apply says why and fails.
 */
/** The login server a node was joined with by this tool, in the project folder on the host. */
export function loginServerMarker(projectDir: string): string {
  return `${projectDir}/vpn-login-server`;
}

export function tailscaleJoinStep(ctx: HardenContext, url: string, key: Secret | undefined, projectDir: string): Step {
  // Tailscale keeps the login server without a trailing slash.
  const loginServer = url.replace(/\/+$/, '');
  const hostname = ctx.host.name;
  return {
    id: 'vpn.tailscale.join',
    describe: `Join the VPN at ${loginServer} as ${hostname} (single-use pre-auth key made on the hub)`,
    host: ctx.host.name,
    check: { argv: sh(TAILSCALE_JOINED, loginServer, loginServerMarker(projectDir)) },
    apply: key
      ? [{ argv: sh(TAILSCALE_JOIN, loginServer, hostname, loginServerMarker(projectDir)), stdin: key }]
      : [{ argv: sh(FAIL, 'no pre-auth key was made for this host (the hub is needed for it)') }],
    risk: 'safe',
    effect: 'create',
  };
}

/** The ufw rules that say who may reach SSH: from anywhere, or from the VPN only. */
export function sshRules(port: number, cidr: string): { readonly public: string; readonly vpn: string } {
  return { public: `ufw allow ${port}/tcp`, vpn: `ufw allow from ${cidr} to any port ${port} proto tcp` };
}

/**
 * `access.mode: vpn-only`: SSH only from the VPN range. Refused (nothing changed) until a NEW SSH
 * connection through the host's VPN address works; guarded (the public rule comes back unless
 * access through the VPN is proven again after the change).
 */
export function sshVpnOnlyStep(ctx: HardenContext): Step {
  const port = ctx.toPort;
  const cidr = ctx.profile.vpn.cidr;
  const rules = sshRules(port, cidr);
  const login = { port, user: ctx.admin, network: 'vpn' as const };
  return {
    id: 'vpn.access.ssh-vpn-only',
    describe: `SSH on ${port} only from the VPN (${cidr}), once a login through the VPN address is proven`,
    host: ctx.host.name,
    check: { argv: sh(VPN_SSH_ONLY_CHECK, rules.vpn, rules.public) },
    apply: [{ argv: sh(VPN_SSH_ONLY_APPLY, cidr, String(port)) }],
    guard: { seconds: 180, revert: [{ argv: ['ufw', 'allow', `${port}/tcp`] }] },
    precondition: {
      prove: login,
      hint: `make sure this machine is on the tailnet and reaches ${ctx.host.name}'s VPN address (tailscale status; tailscale ping ${ctx.host.name}), then run apply again; until then SSH stays open to every address`,
    },
    prove: login,
    risk: 'disruptive',
    effect: 'update',
  };
}
