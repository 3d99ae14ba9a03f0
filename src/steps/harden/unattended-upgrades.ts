import type { Step } from '../../plan/step.js';
import { renderTemplate } from '../../render/templates.js';
import { sh, type HardenContext } from './context.js';
import { UNATTENDED_UPGRADES_CHECK } from '../../remote/generated-scripts.js';

/** Security updates every day; never an automatic reboot (the operator decides when). */
export function unattendedUpgradesSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('unattended-upgrades')) return [];
  return [
    {
      id: 'harden.updates.unattended',
      describe: 'Automatic security updates, no automatic reboot',
      host: ctx.host.name,
      check: { argv: sh(UNATTENDED_UPGRADES_CHECK) },
      files: [
        {
          path: '/etc/apt/apt.conf.d/20auto-upgrades',
          mode: '0644',
          owner: 'root:root',
          content: renderTemplate(ctx.templates, 'apt/20auto-upgrades.eta', {}),
        },
        {
          path: '/etc/apt/apt.conf.d/52homelab-wizard-unattended-upgrades',
          mode: '0644',
          owner: 'root:root',
          content: renderTemplate(ctx.templates, 'apt/unattended-upgrades.conf.eta', {}),
        },
      ],
      apply: [{ argv: ['systemctl', 'enable', '--now', 'unattended-upgrades'] }],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
