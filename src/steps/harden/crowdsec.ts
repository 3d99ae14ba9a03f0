import type { Step } from '../../plan/step.js';
import { sh, type HardenContext } from './context.js';
import { CROWDSEC_APPLY, CROWDSEC_CHECK } from '../../remote/generated-scripts.js';

/** CrowdSec from the distribution with the sshd collection (the hub needs HTTPS egress). */
export function crowdsecSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('crowdsec')) return [];
  return [
    {
      id: 'harden.crowdsec.sshd',
      describe: 'CrowdSec with the sshd collection',
      host: ctx.host.name,
      check: { argv: sh(CROWDSEC_CHECK) },
      apply: [{ argv: sh(CROWDSEC_APPLY) }],
      risk: 'safe',
      effect: 'create',
    },
  ];
}
