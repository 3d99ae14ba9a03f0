import type { Step } from '../../plan/step.js';
import { configToken, renderTemplate } from '../../render/templates.js';
import { sh, type HardenContext } from './context.js';
import { FAIL2BAN_APPLY, FAIL2BAN_CHECK } from '../../remote/generated-scripts.js';

const JAIL = '/etc/fail2ban/jail.d/homelab-wizard.local';

/**
 * What `fail2ban-client status sshd` asks, asked of the running server directly over its socket
 * (fail2ban's own protocol: a pickled command, then its end marker): the same answer in about a
 * third of the time, without loading fail2ban's client. Exit 0 only when the server runs the jail.
 */
const JAIL_STATUS = `import pickle, socket
END = b'<F2B_END_COMMAND>'
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect('/var/run/fail2ban/fail2ban.sock')
s.sendall(pickle.dumps(['status', 'sshd']) + END)
reply = b''
while not reply.endswith(END):
    chunk = s.recv(65536)
    if not chunk:
        raise SystemExit(1)
    reply += chunk
s.sendall(b'<F2B_CLOSE_COMMAND>' + END)
raise SystemExit(0 if pickle.loads(reply[:-len(END)])[0] == 0 else 1)`;

/**
 * The sshd jail on the real port, read from the systemd journal: Debian images have no
 * /var/log/auth.log, so the stock jail finds no log and fail2ban does not start (sandbox-notes §4).
 */
export function fail2banSteps(ctx: HardenContext): Step[] {
  if (!ctx.has('fail2ban')) return [];
  const jail = renderTemplate(ctx.templates, 'fail2ban/jail.local.eta', {
    banaction: ctx.has('ufw') ? 'ufw' : 'iptables-multiport',
    ignoreip: `127.0.0.1/8 ::1${ctx.profile.vpn.enabled ? ` ${configToken('vpn.cidr', ctx.profile.vpn.cidr)}` : ''}`,
    port: ctx.toPort,
  });
  return [
    {
      id: 'harden.fail2ban.sshd',
      describe: `fail2ban: sshd jail on port ${ctx.toPort} (journal backend)`,
      host: ctx.host.name,
      check: { argv: sh(FAIL2BAN_CHECK, JAIL_STATUS) },
      files: [{ path: JAIL, mode: '0644', owner: 'root:root', content: jail }],
      apply: [{ argv: sh(FAIL2BAN_APPLY) }],
      risk: 'safe',
      effect: 'update',
    },
  ];
}
