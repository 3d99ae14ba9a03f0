import type { Step } from '../../plan/step.js';
import { configToken, renderTemplate } from '../../render/templates.js';
import { sh, type HardenContext } from './context.js';
import { ADMIN_USER_APPLY, ADMIN_USER_CHECK, SUDOERS_INSTALL } from '../../remote/generated-scripts.js';

const SUDOERS = '/etc/sudoers.d/90-homelab-wizard';
/** sudo ignores files whose name contains a dot: the new rules wait here until visudo accepts them. */
const SUDOERS_PENDING = '/etc/sudoers.d/homelab-wizard.pending';

/** The admin account, its keys and its sudo rule: how every later run logs in (vpai-system §9.8.17). */
export function adminSteps(ctx: HardenContext): Step[] {
  const { admin, home, host } = ctx;
  const keys = `${ctx.profile.operator.sshPublicKeys.join('\n')}\n`;
  const rule = renderTemplate(ctx.templates, 'sudo/sudoers.eta', { admin: configToken(`hosts[${host.name}].ssh.adminUser`, admin), nopasswd: ctx.host.ssh.sudo === 'nopasswd' });
  return [
    {
      id: 'harden.admin.user',
      describe: `Admin user ${admin} in group sudo, with ~/.ssh`,
      host: host.name,
      check: { argv: sh(ADMIN_USER_CHECK, admin, home) },
      apply: [
        {
          argv: sh(ADMIN_USER_APPLY, admin, home),
        },
      ],
      risk: 'safe',
      effect: 'create',
    },
    {
      id: 'harden.admin.keys',
      describe: `Operator SSH keys for ${admin}`,
      host: host.name,
      check: null,
      files: [{ path: `${home}/.ssh/authorized_keys`, mode: '0600', owner: `${admin}:${admin}`, content: keys }],
      apply: [],
      risk: 'safe',
    },
    {
      id: 'harden.admin.sudo',
      describe: `sudo for ${admin} (${ctx.host.ssh.sudo === 'nopasswd' ? 'no password' : 'password'}), checked by visudo before use`,
      host: host.name,
      check: { argv: ['cmp', '-s', SUDOERS_PENDING, SUDOERS] },
      files: [{ path: SUDOERS_PENDING, mode: '0440', owner: 'root:root', content: rule }],
      apply: [{ argv: sh(SUDOERS_INSTALL, SUDOERS_PENDING, SUDOERS) }],
      verify: { argv: ['visudo', '-cq'] },
      risk: 'safe',
      effect: 'create',
    },
  ];
}
