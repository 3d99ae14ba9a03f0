import type { ProveLogin, ProveResult } from '../../src/engine/access.js';
import type { Command } from '../../src/plan/command.js';
import * as R from '../../src/remote/generated-scripts.js';
import { INSTALL_SCRIPT, INSTALLED_SCRIPT } from '../../src/steps/harden/packages.js';
import { SSHD_DROPIN } from '../../src/steps/harden/ssh.js';
import type { ExecResult } from '../../src/engine/runner.js';
import type { FakeHost } from './fake-host.js';

const ok: ExecResult = { code: 0, stdout: '', stderr: '' };
const exit = (pass: boolean): ExecResult => (pass ? ok : { code: 1, stdout: '', stderr: '' });

/**
 * Test stand-in for what the harden steps touch on a Debian server, modelled only as far as their
 * checks and applies need: packages, users, sysctl values, time zone and locale, ufw's rules,
 * sshd's ports and effective settings (read from the drop-in the step uploads), services, and the
 * guard timers. A command it does not recognise falls through to FakeHost, which throws.
 */
export class FakeServer {
  readonly packages = new Set<string>();
  readonly users = new Map<string, Set<string>>();
  readonly sysctl = new Map<string, string>();
  timezone = 'Etc/UTC';
  locale = 'C.UTF-8';
  readonly services = new Set<string>(['ssh']);
  ufw = { active: false, rules: new Set<string>() };
  sshd = { ports: new Set<number>([22]), transition: false };
  /** The guard timers (the fake host models them: FakeHost.timers and .armed). */
  get timers(): Set<string> {
    return this.fake.timers;
  }

  get armed(): readonly string[] {
    return this.fake.armed;
  }
  /** The Tailscale client: the login server it joined, and the address it got. */
  vpn: { loginServer: string; address: string } | undefined;
  /** What the server runs, as the platform check prints it ('debian-12 (amd64)'); unset: what the profile says. */
  platform: string | undefined;
  /** Ports a test blocks "on the way" (a provider firewall): a proof through them fails. */
  readonly blocked = new Set<number>();

  constructor(private readonly fake: FakeHost, readonly initial = { port: 22, user: 'root' }) {
    fake.rules.push({ match: (argv) => this.handles(argv), run: (_host, command) => this.run(command) });
    // A fresh Debian server's folders (uploads never create folders).
    for (const dir of ['/etc/sudoers.d', '/etc/ssh/sshd_config.d', '/etc/sysctl.d', '/etc/apt/apt.conf.d', '/usr/local/sbin', '/etc/systemd/system', '/home']) fake.mkdirs(dir);
  }

  /** Folders that packages bring. */
  private static readonly PACKAGE_DIRS: Readonly<Record<string, string>> = { fail2ban: '/etc/fail2ban/jail.d', 'docker.io': '/etc/docker', crowdsec: '/etc/crowdsec' };

  private handles(argv: readonly string[]): boolean {
    return this.script(argv) !== undefined || ['sysctl', 'systemctl', 'sshd', 'visudo', 'cmp', 'ufw'].includes(argv[0] ?? '');
  }

  private script(argv: readonly string[]): string | undefined {
    return argv[0] === 'sh' && argv[1] === '-c' ? argv[2] : undefined;
  }

  /** The sshd settings the drop-in gives, as `sshd -T` prints them. */
  private effective(): Set<string> {
    const text = this.fake.nodes.get(SSHD_DROPIN)?.content ?? '';
    return new Set(text.split('\n').filter((l) => /^[A-Z]/.test(l) && !l.startsWith('Port ')).map((l) => l.toLowerCase()));
  }

  private run(command: Command): ExecResult {
    const argv = command.argv;
    const script = this.script(argv);
    const args = argv.slice(4);
    if (script === undefined) {
      if (argv[0] === 'sysctl' && argv[2] === '--load') {
        for (const line of (this.fake.nodes.get(argv[3] as string)?.content ?? '').split('\n')) {
          const m = /^([a-z0-9._]+) = (.*)$/.exec(line);
          if (m) this.sysctl.set(m[1] as string, m[2] as string);
        }
        return ok;
      }
      if (argv[0] === 'systemctl' && argv[1] === 'enable' && argv[2] === '--now') return this.services.add(argv[3] as string), ok;
      if (argv[0] === 'systemctl' && (argv[1] === 'restart' || argv[1] === 'is-active')) return exit(this.services.has(argv.at(-1) as string));
      if (argv[0] === 'sshd' || argv[0] === 'visudo') return ok;
      if (argv[0] === 'cmp') return exit(this.fake.nodes.get(argv[2] as string)?.content === this.fake.nodes.get(argv[3] as string)?.content && this.fake.nodes.has(argv[3] as string));
      if (argv[0] === 'ufw' && argv[1] === 'delete') return this.ufw.rules.delete(`ufw ${argv.slice(2).join(' ')}`), ok;
      throw new Error(`fake server does not know: ${argv.join(' ')}`);
    }
    if (script === 'ufw --force disable') return (this.ufw.active = false), ok;
    if (script === INSTALLED_SCRIPT) return exit(args.every((p) => this.packages.has(p)));
    if (script === INSTALL_SCRIPT) {
      for (const p of args) {
        this.packages.add(p);
        const dir = FakeServer.PACKAGE_DIRS[p];
        if (dir) this.fake.mkdirs(dir);
      }
      return ok;
    }
    if (script === R.ADMIN_USER_CHECK) return exit(this.users.get(args[0] as string)?.has('sudo') === true && this.fake.nodes.get(`${args[1]}/.ssh`)?.kind === 'dir');
    if (script === R.ADMIN_USER_APPLY) {
      this.users.set(args[0] as string, new Set(['sudo']));
      this.fake.mkdirs(`${args[1]}/.ssh`, 0o700, `${args[0]}:${args[0]}`);
      return ok;
    }
    if (script === R.SUDOERS_INSTALL) {
      const pending = this.fake.nodes.get(args[0] as string);
      if (!pending) return exit(false);
      this.fake.writeFile(args[1] as string, pending.content, 0o440);
      return ok;
    }
    if (script === R.SYSCTL_CHECK) return exit(args.every((kv) => this.sysctl.get(kv.split('=')[0] as string) === kv.slice(kv.indexOf('=') + 1)));
    if (script === R.TIMEZONE_CHECK) return exit(this.timezone === args[0]);
    if (script === R.TIMEZONE_APPLY) return (this.timezone = args[0] as string), ok;
    if (script === R.LOCALE_CHECK) return exit(this.locale === args[0]);
    if (script === R.LOCALE_APPLY) return (this.locale = args[0] as string), ok;
    if (script === R.UNATTENDED_UPGRADES_CHECK) return exit(this.services.has('unattended-upgrades'));
    if (script === R.FIREWALL_CHECK) {
      const wanted = this.keepVpnSsh((args[0] as string).split('\n'), args[2], args[3]);
      const old = `ufw allow ${args[1]}/tcp`;
      const want = new Set([...wanted, ...(this.ufw.rules.has(old) ? [old] : [])]);
      return exit(this.ufw.active && want.size === this.ufw.rules.size && [...want].every((r) => this.ufw.rules.has(r)));
    }
    if (script === R.FIREWALL_APPLY) {
      const keep = `ufw allow ${args[1]}/tcp`;
      const listening = this.sshd.ports.has(Number(args[1]));
      this.ufw.rules = new Set([...this.keepVpnSsh((args[0] as string).split('\n'), args[2], args[3]), ...(listening || this.ufw.rules.has(keep) ? [keep] : [])]);
      this.ufw.active = true;
      return ok;
    }
    if (script === R.FIREWALL_RULE_ABSENT) return exit(this.ufw.active && !this.ufw.rules.has(args[0] as string));
    // The vpn phase: Tailscale's package, the join (key on stdin), SSH from the VPN only.
    if (script === R.TAILSCALE_INSTALLED) return exit(this.packages.has('tailscale'));
    if (script === R.TAILSCALE_INSTALL) return this.packages.add('tailscale'), ok;
    if (script === R.TAILSCALE_JOINED) return exit(this.vpn?.loginServer === args[0]);
    if (script === R.TAILSCALE_JOIN) {
      if (!this.packages.has('tailscale')) return { code: 127, stdout: '', stderr: 'tailscale: not found\n' };
      const key = command.stdin === undefined ? '' : typeof command.stdin === 'string' ? command.stdin : command.stdin.reveal();
      if (key.trim() === '') return { code: 1, stdout: '', stderr: 'no pre-auth key on stdin\n' };
      this.vpn = { loginServer: args[0] as string, address: '100.64.0.7' };
      return ok;
    }
    if (script === R.VPN_SSH_ONLY_CHECK) return exit(this.ufw.rules.has(args[0] as string) && !this.ufw.rules.has(args[1] as string));
    if (script === R.VPN_SSH_ONLY_APPLY) {
      this.ufw.rules.add(`ufw allow from ${args[0]} to any port ${args[1]} proto tcp`);
      this.ufw.rules.delete(`ufw allow ${args[1]}/tcp`);
      return ok;
    }
    if (script === R.SSHD_PORT_LISTENING) return exit(this.sshd.ports.has(Number(args[0])));
    if (script === R.SSHD_TRANSITION_APPLY) {
      this.sshd = { ports: new Set([Number(args[1]), Number(args[2])]), transition: true };
      return ok;
    }
    if (script === R.SSHD_CONFIG_CHECK) {
      const ports = [...this.sshd.ports];
      const want = Number(/Port (\d+)/.exec(this.fake.nodes.get(SSHD_DROPIN)?.content ?? '')?.[1] ?? 22);
      const effective = this.effective();
      return exit(!this.sshd.transition && ports.length === 1 && ports[0] === want && Number(args[1]) === want && args.slice(2).every((w) => effective.has(w)));
    }
    if (script === R.SSHD_CONFIG_APPLY) {
      const port = Number(/Port (\d+)/.exec(this.fake.nodes.get(SSHD_DROPIN)?.content ?? '')?.[1] ?? 22);
      this.sshd = { ports: new Set([port]), transition: false };
      return ok;
    }
    // A service's check asks whether it runs; its apply starts it.
    const services: [string, string, string][] = [
      [R.FAIL2BAN_CHECK, R.FAIL2BAN_APPLY, 'fail2ban'],
      [R.DOCKER_USER_CHECK, R.DOCKER_USER_APPLY, 'homelab-wizard-docker-user'],
      [R.CROWDSEC_CHECK, R.CROWDSEC_APPLY, 'crowdsec'],
      // DNS-01: the renewal timer active and a certificate in place after the apply.
      [R.ACME_CHECK, R.ACME_APPLY, 'homelab-wizard-acme'],
    ];
    for (const [check, apply, service] of services) {
      if (script === check) return exit(this.services.has(service));
      if (script === apply) return this.services.add(service), ok;
    }
    // Left DNS-01: nothing to remove on a fake server that never had it.
    if (script === R.ACME_ABSENT) return exit(!this.services.has('homelab-wizard-acme'));
    if (script === R.ACME_REMOVE) return this.services.delete('homelab-wizard-acme'), ok;
    if (script === R.PLATFORM_CHECK) {
      const wanted = `${args[0]} (${args[1]})`;
      return this.platform === undefined || this.platform === wanted ? ok : { code: 1, stdout: `runs ${this.platform}\n`, stderr: '' };
    }
    if (script === R.FAIL) return { code: 1, stdout: '', stderr: `${args[0]}\n` };
    if (script === R.DOCKER_ENGINE_CHECK) return exit(this.services.has('docker'));
    if (script === R.DOCKER_INSTALL_DISTRIBUTION || script === R.DOCKER_INSTALL_VENDOR) {
      this.fake.mkdirs('/etc/docker');
      this.services.add('docker');
      return ok;
    }
    throw new Error(`fake server does not know the script: ${script.slice(0, 80)}`);
  }

  /** What the firewall script's KEEP_VPN_SSH does: once SSH is VPN-only, hardening keeps it so. */
  private keepVpnSsh(wanted: string[], vpnRule: string | undefined, publicRule: string | undefined): string[] {
    if (!vpnRule || !this.ufw.rules.has(vpnRule)) return wanted;
    return wanted.map((r) => (r === publicRule ? vpnRule : r));
  }

  /** The stand-in for the ssh adapter's proof: the login must pass sshd, ufw and any blocked port. */
  prove(login: ProveLogin, address = 'fake'): ProveResult {
    const { port, user } = login === 'current' ? this.initial : login;
    const viaVpn = login !== 'current' && login.network === 'vpn';
    if (viaVpn && !this.vpn) return { ok: false, target: `${user}@(VPN address):${port}`, reason: 'the host has no VPN address yet' };
    const target = `${user}@${viaVpn ? this.vpn?.address : address}:${port}`;
    if (this.blocked.has(port)) return { ok: false, target, reason: 'timed out while connecting' };
    if (!this.sshd.ports.has(port)) return { ok: false, target, reason: 'connection refused' };
    const fromVpn = viaVpn && [...this.ufw.rules].some((r) => r.startsWith('ufw allow from 100.64.0.0/10 to any port ') && r.includes(` port ${port} proto tcp`));
    if (this.ufw.active && !this.ufw.rules.has(`ufw allow ${port}/tcp`) && !fromVpn) return { ok: false, target, reason: 'timed out while connecting' };
    const effective = this.effective();
    if (user === 'root' && effective.has('permitrootlogin no') && !this.sshd.transition) return { ok: false, target, reason: 'root login refused' };
    if (user !== 'root' && !this.fake.nodes.has(`/home/${user}/.ssh/authorized_keys`)) return { ok: false, target, reason: 'key refused' };
    return { ok: true, target };
  }
}
