import type { Step } from '../../plan/step.js';
import { APT_GET, APT_WAIT } from '../apt.js';
import { sh, type HardenContext } from './context.js';

/** The Debian packages hardening needs on this host, from the services it runs. */
export function hardenPackages(ctx: HardenContext): string[] {
  const packages = ['sudo', 'tzdata', 'locales', 'iptables'];
  if (ctx.has('ufw')) packages.push('ufw');
  if (ctx.has('fail2ban')) packages.push('fail2ban', 'python3-systemd');
  if (ctx.has('unattended-upgrades')) packages.push('unattended-upgrades', 'apt-listchanges');
  if (ctx.has('crowdsec')) packages.push('crowdsec');
  return packages;
}

/** Every package installed, asked of dpkg once (a dpkg-query per package cost 70 ms of each probe). */
export const INSTALLED_SCRIPT = `dpkg-query -W -f='\${Package} \${Status}\\n' "$@" 2>/dev/null | awk -v want="$*" 'BEGIN { n = split(want, w, " ") } $(NF-1) == "ok" && $NF == "installed" { ok[$1] = 1 } END { for (i = 1; i <= n; i++) if (!(w[i] in ok)) exit 1 }'`;
export const INSTALL_SCRIPT = `${APT_WAIT}
export DEBIAN_FRONTEND=noninteractive
hlw_apt_wait || exit 1
${APT_GET} update -q >/dev/null && ${APT_GET} install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "$@"`;

export function packagesStep(ctx: HardenContext): Step {
  const packages = hardenPackages(ctx);
  return {
    id: 'harden.packages.base',
    describe: `Install ${packages.join(', ')}`,
    host: ctx.host.name,
    check: { argv: sh(INSTALLED_SCRIPT, ...packages) },
    apply: [{ argv: sh(INSTALL_SCRIPT, ...packages) }],
    risk: 'safe',
    effect: 'create',
  };
}
