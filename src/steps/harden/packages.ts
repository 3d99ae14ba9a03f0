import type { Step } from '../../plan/step.js';
import { PACKAGES_INSTALL, PACKAGES_INSTALLED } from '../../remote/generated-scripts.js';
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

/** Every package installed, asked of dpkg once (src/remote/packages-installed.sh). */
export const INSTALLED_SCRIPT = PACKAGES_INSTALLED;
/** Install packages after any other apt run (src/remote/packages-install.sh). */
export const INSTALL_SCRIPT = PACKAGES_INSTALL;

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
