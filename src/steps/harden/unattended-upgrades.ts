import type { Step } from '../../plan/step.js';
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
          content: 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\nAPT::Periodic::AutocleanInterval "7";\n',
        },
        {
          path: '/etc/apt/apt.conf.d/52homelab-wizard-unattended-upgrades',
          mode: '0644',
          owner: 'root:root',
          content: [
            '// written by homelab-wizard',
            'Unattended-Upgrade::Automatic-Reboot "false";',
            'Unattended-Upgrade::Remove-Unused-Kernel-Packages "true";',
            'Unattended-Upgrade::Remove-Unused-Dependencies "true";',
            'Unattended-Upgrade::AutoFixInterruptedDpkg "true";',
            '',
          ].join('\n'),
        },
      ],
      apply: [{ argv: ['systemctl', 'enable', '--now', 'unattended-upgrades'] }],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
