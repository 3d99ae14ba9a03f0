import type { Step } from '../../plan/step.js';
import type { HardenContext } from './context.js';

const JAIL = '/etc/fail2ban/jail.d/homelab-wizard.local';

/**
 * The sshd jail on the real port, read from the systemd journal: Debian images have no
 * /var/log/auth.log, so the stock jail finds no log and fail2ban does not start (sandbox-notes §4).
 */
export function fail2banSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('fail2ban')) return [];
  const jail = [
    '# written by homelab-wizard',
    '[DEFAULT]',
    'backend = systemd',
    `banaction = ${ctx.has('ufw') ? 'ufw' : 'iptables-multiport'}`,
    'bantime = 1h',
    'findtime = 10m',
    'maxretry = 5',
    `ignoreip = 127.0.0.1/8 ::1${ctx.profile.vpn.enabled ? ` ${ctx.profile.vpn.cidr}` : ''}`,
    '',
    '[sshd]',
    'enabled = true',
    // jail.conf's [sshd] names its own backend, which beats [DEFAULT].
    'backend = systemd',
    `port = ${ctx.toPort}`,
    '',
  ].join('\n');
  return [
    {
      id: 'harden.fail2ban.sshd',
      describe: `fail2ban: sshd jail on port ${ctx.toPort} (journal backend)`,
      host: ctx.host.name,
      check: { argv: ['sh', '-c', 'systemctl is-active --quiet fail2ban && fail2ban-client status sshd >/dev/null 2>&1'] },
      files: [{ path: JAIL, mode: '0644', owner: 'root:root', content: jail }],
      apply: [{ argv: ['sh', '-c', 'systemctl enable fail2ban >/dev/null 2>&1; systemctl restart fail2ban && for i in 1 2 3 4 5 6 7 8 9 10; do fail2ban-client status sshd >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1'] }],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
