import type { Step } from '../../plan/step.js';
import type { HardenContext } from './context.js';

/** CrowdSec from the distribution with the sshd collection (the hub needs HTTPS egress). */
export function crowdsecSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('crowdsec')) return [];
  return [
    {
      id: 'harden.crowdsec.sshd',
      describe: 'CrowdSec with the sshd collection',
      host: ctx.host.name,
      check: { argv: ['sh', '-c', 'systemctl is-active --quiet crowdsec && cscli collections list -o raw 2>/dev/null | grep -q "^crowdsecurity/sshd,"'] },
      apply: [{ argv: ['sh', '-c', 'cscli hub update >/dev/null && cscli collections install crowdsecurity/sshd >/dev/null && systemctl enable crowdsec >/dev/null 2>&1 && systemctl reload-or-restart crowdsec'] }],
      risk: 'safe',
      effect: 'create',
    },
  ];
}
