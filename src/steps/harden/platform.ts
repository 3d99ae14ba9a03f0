import type { Step } from '../../plan/step.js';
import { FAIL, PLATFORM_CHECK } from '../../remote/generated-scripts.js';
import { sh, type HardenContext } from './context.js';

/**
 * The host runs the system and architecture the profile says (hosts[].os, hosts[].arch). Every
 * later step (package names, Docker's source, images) is chosen for them, so a host that runs
 * another system stops the run here with what it runs, before anything is changed. Nothing can
 * converge it: the operator corrects the profile or reinstalls the host.
 */
export function platformStep(ctx: HardenContext): Step {
  const { os, arch, name } = ctx.host;
  const index = ctx.profile.hosts.indexOf(ctx.host);
  const field = `hosts[${index < 0 ? '?' : index}]`;
  return {
    id: 'harden.system.platform',
    describe: `System ${os} (${arch})`,
    host: name,
    check: { argv: sh(PLATFORM_CHECK, os, arch) },
    checkReports: true,
    apply: [{ argv: sh(FAIL, `${name} does not run ${os} (${arch}), which the profile says: set ${field}.os and ${field}.arch to what the host runs (the plan shows it), or reinstall the host with ${os}`) }],
    risk: 'safe',
    effect: 'update',
  };
}
