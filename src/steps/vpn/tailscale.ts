import type { Secret } from '../../lib/secret.js';
import type { Step } from '../../plan/step.js';
import { APT_GET, APT_WAIT } from '../apt.js';
import { sh, type HardenContext } from '../harden/context.js';
import { UFW_ADDED } from '../harden/ufw-state.js';

/**
 * Tailscale from Tailscale's own apt repository (a real server with HTTPS egress), pinned to the
 * catalogue's version, and tailscaled running. On the sandbox image the `tailscale` command is a
 * stand-in with no tailscaled unit, so the check passes there without this install.
 */
const INSTALL = `${APT_WAIT}
set -e
export DEBIAN_FRONTEND=noninteractive
hlw_apt_wait
. /etc/os-release
${APT_GET} update -q >/dev/null && ${APT_GET} install -y -q ca-certificates curl >/dev/null
install -m 0755 -d /usr/share/keyrings
curl -fsSL "https://pkgs.tailscale.com/stable/$ID/$VERSION_CODENAME.noarmor.gpg" -o /usr/share/keyrings/tailscale-archive-keyring.gpg
curl -fsSL "https://pkgs.tailscale.com/stable/$ID/$VERSION_CODENAME.tailscale-keyring.list" -o /etc/apt/sources.list.d/tailscale.list
${APT_GET} update -q >/dev/null
${APT_GET} install -y -q "tailscale=$1" >/dev/null
systemctl enable --now tailscaled >/dev/null 2>&1`;

const INSTALLED = 'command -v tailscale >/dev/null 2>&1 && { ! systemctl cat tailscaled.service >/dev/null 2>&1 || systemctl is-active --quiet tailscaled; }';

/**
 * Joined means: Running, with an address, and registered with THIS login server. The client says
 * which one in `tailscale debug prefs` (ControlURL); where that command does not exist (the
 * sandbox's stand-in) the marker the join step wrote ($2) says it.
 */
const JOINED = `tailscale status --json 2>/dev/null | grep -q '"BackendState": "Running"' || exit 1
tailscale ip -4 >/dev/null 2>&1 || exit 1
if prefs=$(tailscale debug prefs 2>/dev/null); then
  printf '%s\\n' "$prefs" | grep -qF "\\"ControlURL\\": \\"$1\\""
else
  [ "$(cat "$2" 2>/dev/null)" = "$1" ]
fi`;

/**
 * The key arrives on stdin and goes into a 0600 file in a private temp folder, removed on exit
 * whatever happens; `tailscale up` reads it with `file:` (never in argv, so never in `ps`).
 * --reset and --force-reauth: a node joined elsewhere or with other settings is moved, not refused.
 */
const JOIN = `set -e
umask 077
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cat > "$d/key"
[ -s "$d/key" ] || { echo "no pre-auth key on stdin" >&2; exit 1; }
tailscale up --reset --force-reauth --login-server="$1" --hostname="$2" --auth-key="file:$d/key" --timeout=60s
printf '%s\\n' "$1" > "$3"`;

export function tailscalePackageStep(ctx: HardenContext, version: string): Step {
  return {
    id: 'vpn.tailscale.package',
    describe: `Tailscale ${version} from Tailscale's apt repository, tailscaled running`,
    host: ctx.host.name,
    check: { argv: sh(INSTALLED) },
    apply: [{ argv: sh(INSTALL, version) }],
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
    check: { argv: sh(JOINED, loginServer, loginServerMarker(projectDir)) },
    apply: key
      ? [{ argv: sh(JOIN, loginServer, hostname, loginServerMarker(projectDir)), stdin: key }]
      : [{ argv: sh('echo "no pre-auth key was made for this host (the hub is needed for it)" >&2; exit 1') }],
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
    check: { argv: sh(`${UFW_ADDED}\nr=$(ufw_added); printf "%s\\n" "$r" | grep -qxF -- "$1" && ! printf "%s\\n" "$r" | grep -qxF -- "$2"`, rules.vpn, rules.public) },
    apply: [{ argv: sh('ufw allow from "$1" to any port "$2" proto tcp >/dev/null && ufw delete allow "$2/tcp" >/dev/null', cidr, String(port)) }],
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
