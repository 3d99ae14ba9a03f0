import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxServer } from '../../src/sandbox/servers.js';
import { validateProfile } from '../../src/profile/validate.js';
import { hardenContext } from '../../src/steps/harden/context.js';
import { firewallRules } from '../../src/steps/harden/firewall.js';
import { exampleOnSandbox, SandboxProject } from './helpers/sandbox-project.js';
import { remote, TestBed } from './helpers/test-bed.js';

/**
 * The harden phase on fresh sandbox servers, driven through the built CLI as an operator runs it:
 * one server hardened twice (the second run changes nothing, `plan` exits 0), one whose new SSH
 * port is blocked before the run (the tool keeps the old port, reverts, explains, exits 1).
 */
const bed = new TestBed('harden');
const project = new SandboxProject(bed, 'harden');
const connections: NodeSSH[] = [];

/** The CLI on one profile of the project; the SSH key comes from the profile, as an operator's own runs do. */
const cliFor = (profile: string) => project.cli({ profile, keyFrom: 'profile', timeoutMs: 400_000 });

async function login(address: string, port: number, user: string): Promise<NodeSSH> {
  const ssh = await bed.sshAt(address, port, user);
  connections.push(ssh);
  return ssh;
}

/** Whether a TCP connection to the port opens within 3 s (a dropped SYN times out). */
function portOpen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(3_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A password login with OpenSSH's client, never a key: must be refused before any password is asked. */
function passwordLogin(address: string, port: number, user: string): { code: number; stderr: string } {
  try {
    execFileSync('ssh', ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-p', String(port), `${user}@${address}`, 'true'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stderr: Buffer };
    return { code: e.status, stderr: String(e.stderr) };
  }
}

beforeAll(async () => {
  await bed.setUp();
});

afterAll(async () => {
  for (const c of connections) c.dispose();
  await bed.tearDown();
  project.remove();
  expect(await bed.leftovers()).toEqual([]);
});

describe('harden on a fresh sandbox server', () => {
  let server: SandboxServer;
  let admin: NodeSSH;
  let profileDoc: Record<string, any>;
  const PROFILE = 'hardened-sandbox';
  const cli = cliFor(PROFILE);

  beforeAll(async () => {
    // Each scenario its own server (containers are named by bed and host); the profile's host is `vps` in both.
    server = await bed.startServer('hardened');
    profileDoc = exampleOnSandbox(bed, 'minimal', 'hardened', [{ host: 'vps', server }]);
    project.writeProfile(profileDoc);
  });

  it("converges in one `apply --only harden`: every step changed but the check that the server runs the profile's system, exit 0", async () => {
    const r = await cli('apply', '--only', 'harden', '--accept-new-host-keys');
    expect(r.stderr + r.stdout).toMatch(/Apply complete: \d+ changed, 1 unchanged on 1 host/);
    expect(r.stdout).toMatch(/= harden.system.platform  System debian-12 \(amd64\)/);
    expect(r.code).toBe(0);
    // The proof on the new port recorded the same host key there: later runs need no new trust.
    const known = readFileSync(path.join(project.dir, 'profiles', `${PROFILE}.known_hosts`), 'utf8');
    const keyOf = (name: string) => known.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[2];
    expect(keyOf(`[${server.address}]:2222`)).toBeDefined();
    expect(keyOf(`[${server.address}]:2222`)).toBe(keyOf(server.address));
  }, 400_000);

  it('changes nothing the second time, as the admin on the new port, and plan exits 0', async () => {
    const again = await cli('apply', '--only', 'harden');
    expect(again.stdout).toContain(`vps  deploy@${server.address}:2222`);
    expect(again.stdout).toMatch(/Apply complete: 0 changed, \d+ unchanged on 1 host/);
    expect(again.code).toBe(0);
    const plan = await cli('plan', '--only', 'harden');
    expect(plan.stdout).toContain('Plan: 0 to add, 0 to change, 0 to destroy');
    expect(plan.code).toBe(0);
  }, 200_000);

  it('lets only the admin in, on 2222, by key, with sudo; root, passwords and port 22 are refused', async () => {
    admin = await login(server.address, 2222, 'deploy');
    expect(await remote(admin, 'sudo -n true && sudo -n id -un')).toBe('root');
    await expect(bed.sshAt(server.address, 2222, 'root')).rejects.toThrow(/authentication methods failed/);
    const password = passwordLogin(server.address, 2222, 'deploy');
    expect(password.code).toBe(255);
    expect(password.stderr).toContain('Permission denied (publickey)');
    expect(await portOpen(server.address, 22)).toBe(false);
    expect(await portOpen(server.address, 2222)).toBe(true);
    const effective = await remote(admin, 'sudo -n sshd -T');
    for (const line of ['port 2222', 'permitrootlogin no', 'passwordauthentication no', 'kbdinteractiveauthentication no', 'allowusers deploy']) expect(effective.split('\n')).toContain(line);
    expect(effective).not.toMatch(/^port 22$/m);
  });

  it("runs ufw (deny incoming, the profile's rules), fail2ban on 2222, unattended-upgrades, Docker with Compose v2 and the DOCKER-USER filter", async () => {
    const valid = validateProfile(profileDoc);
    if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
    const rules = firewallRules(hardenContext(valid.profile, valid.profile.hosts[0]!));
    expect(rules).toEqual(['ufw allow 2222/tcp', 'ufw allow 80/tcp', 'ufw allow 443/tcp', 'ufw allow 443/udp']);
    const verbose = await remote(admin, 'sudo -n ufw status verbose');
    expect(verbose).toMatch(/^Status: active$/m);
    expect(verbose).toMatch(/^Default: deny \(incoming\)/m);
    expect((await remote(admin, 'sudo -n ufw show added | tail -n +2')).split('\n').sort()).toEqual([...rules].sort());
    expect(await remote(admin, 'systemctl is-enabled ufw')).toBe('enabled');

    expect(await remote(admin, 'sudo -n fail2ban-client status sshd')).toMatch(/Currently banned:\s+0/);
    // The jail's ban action acts on the port sshd really listens on.
    const dump = await remote(admin, 'sudo -n fail2ban-client -d');
    const portLines = dump.split('\n').filter((l) => l.includes("'sshd'") && l.includes('port'));
    expect(portLines.some((l) => /\b2222\b/.test(l)), dump.slice(0, 3000)).toBe(true);
    expect(portLines.some((l) => /'22'/.test(l))).toBe(false);

    expect(await remote(admin, 'systemctl is-enabled unattended-upgrades; systemctl is-active unattended-upgrades')).toBe('enabled\nactive');
    expect(await remote(admin, 'cat /etc/apt/apt.conf.d/20auto-upgrades')).toContain('APT::Periodic::Unattended-Upgrade "1";');

    expect(await remote(admin, 'systemctl is-active docker')).toBe('active');
    expect(await remote(admin, 'sudo -n docker compose version')).toMatch(/^Docker Compose version v?2\.\d+/);
    const daemon = JSON.parse(await remote(admin, 'cat /etc/docker/daemon.json'));
    // The sandbox image's registry settings survive, now derived from the profile.
    expect(daemon).toMatchObject({ 'registry-mirrors': ['http://sandbox-registry:5000'], 'insecure-registries': ['sandbox-registry:5000'], 'live-restore': true });
    const filter = await remote(admin, 'sudo -n iptables -S DOCKER-USER');
    expect(filter).toContain('-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 443 -j RETURN');
    expect(filter).toContain('-A DOCKER-USER -m conntrack --ctstate NEW -j DROP');
    expect(await remote(admin, 'systemctl is-enabled homelab-wizard-docker-user')).toBe('enabled');
    expect(await remote(admin, '/usr/sbin/sysctl -n net.ipv4.tcp_syncookies net.ipv4.conf.all.rp_filter kernel.kptr_restrict')).toBe('1\n1\n2');
  });

  it('was not banned by fail2ban after two runs, and left no guard timer behind', async () => {
    const status = await remote(admin, 'sudo -n fail2ban-client status sshd');
    expect(status).toMatch(/Currently banned:\s+0/);
    expect(status).toMatch(/Total banned:\s+0/);
    expect(status).toMatch(/Banned IP list:\s*$/m);
    expect(await remote(admin, 'systemctl list-units --all --no-legend "homelab-wizard-guard-*" | wc -l')).toBe('0');
  });
});

describe('harden when the new SSH port is blocked on the way', () => {
  const PROFILE = 'blocked-sandbox';
  const cli = cliFor(PROFILE);
  let server: SandboxServer;

  beforeAll(async () => {
    server = await bed.startServer('blocked');
    project.writeProfile(exampleOnSandbox(bed, 'minimal', 'blocked', [{ host: 'vps', server }]));
    // A firewall the tool does not manage drops the new port (a provider firewall, say): inside the server's network namespace.
    const pid = (await bed.docker.out(['inspect', '-f', '{{.State.Pid}}', server.container])).trim();
    execFileSync('nsenter', ['-t', pid, '-n', 'iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'DROP']);
  });

  it('keeps the old port, reverts the sshd change, explains, exits 1, and the server is still reachable on 22', async () => {
    const r = await cli('apply', '--only', 'harden', '--accept-new-host-keys');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✖ vps: step harden.ssh.new-port failed');
    expect(r.stderr).toContain(`a new SSH connection as deploy@${server.address}:2222 failed`);
    expect(r.stderr).toMatch(/reverted: +sshd-remove-reload\.sh \S*00-homelab-wizard-transition\.conf$/m);
    expect(r.stderr).toContain(`access:    still reachable as root@${server.address}:22 (proven by a new connection)`);
    expect(r.stderr).toContain('hint:');

    const root = await login(server.address, 22, 'root');
    const effective = (await remote(root, 'sshd -T')).split('\n');
    expect(effective.filter((l) => l.startsWith('port '))).toEqual(['port 22']);
    expect(await remote(root, 'ls /etc/ssh/sshd_config.d/')).toBe('00-provider.conf');
    expect(await remote(root, 'ufw show added | tail -n +2')).toContain('ufw allow 22/tcp');
    expect(await remote(root, 'systemctl list-units --all --no-legend "homelab-wizard-guard-*" | wc -l')).toBe('0');
    // The steps after the failed one did not run.
    expect(await remote(root, 'command -v docker || echo none')).toBe('none');
  }, 400_000);
});
