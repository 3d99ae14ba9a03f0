import type { Step } from '../../plan/step.js';
import { renderTemplate } from '../../render/templates.js';
import { sh, type HardenContext } from './context.js';
import { SYSCTL_CHECK } from '../../remote/generated-scripts.js';

/**
 * Kernel network hardening. net.* applies per network namespace; kernel.* and fs.* host-wide.
 * No log_martians: ufw sets it back to 0 from /etc/ufw/sysctl.conf on every start, so it would
 * never converge (and it floods the kernel log on cloud networks).
 */
export const SYSCTL: Readonly<Record<string, string>> = {
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.conf.all.rp_filter': '1',
  'net.ipv4.conf.default.rp_filter': '1',
  'net.ipv4.conf.all.accept_redirects': '0',
  'net.ipv4.conf.default.accept_redirects': '0',
  'net.ipv4.conf.all.send_redirects': '0',
  'net.ipv4.conf.all.accept_source_route': '0',
  'net.ipv4.icmp_echo_ignore_broadcasts': '1',
  'net.ipv6.conf.all.accept_redirects': '0',
  'kernel.kptr_restrict': '2',
  'kernel.dmesg_restrict': '1',
  'fs.protected_hardlinks': '1',
  'fs.protected_symlinks': '1',
};

const FILE = '/etc/sysctl.d/99-homelab-wizard.conf';

export function sysctlStep(ctx: HardenContext): Step {
  const pairs = Object.entries(SYSCTL).map(([k, v]) => `${k}=${v}`);
  return {
    id: 'harden.kernel.sysctl',
    describe: 'Kernel network hardening (sysctl)',
    host: ctx.host.name,
    check: { argv: sh(SYSCTL_CHECK, ...pairs) },
    files: [{ path: FILE, mode: '0644', owner: 'root:root', content: renderTemplate(ctx.templates, 'sysctl/hardening.conf.eta', { settings: Object.entries(SYSCTL).map(([key, value]) => ({ key, value })) }) }],
    apply: [{ argv: ['sysctl', '--quiet', '--load', FILE] }],
    risk: 'safe',
    effect: 'update',
  };
}
