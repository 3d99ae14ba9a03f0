import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listServers, waitForServer, type SandboxServer } from '../../src/sandbox/servers.js';
import { installDockerScript, remote, TestBed } from './helpers/test-bed.js';

/**
 * The first end-to-end test: a sandbox server comes up like a fresh cloud server, an SSH client
 * logs in with a key, the server's own Docker engine is installed as on a real server and pulls
 * stack images from the local registry (as a Docker Hub mirror, and under a rewritten name), and
 * everything is torn down afterwards.
 */
const bed = new TestBed('server');
let server: SandboxServer;
let ssh: NodeSSH;

beforeAll(async () => {
  await bed.setUp();
  server = await bed.startServer('vps-1');
  ssh = await bed.ssh(server);
});

afterAll(async () => {
  ssh?.dispose();
  await bed.tearDown();
  expect(await bed.leftovers()).toEqual([]);
});

describe('a sandbox server', () => {
  it('looks like a fresh Debian 12 cloud server: systemd as PID 1, root key login, no Docker yet', async () => {
    expect(await remote(ssh, 'systemctl is-system-running || true')).toMatch(/^(running|degraded)$/m);
    expect(await remote(ssh, 'ps -o comm= -p 1')).toBe('systemd');
    expect(await remote(ssh, '. /etc/os-release && echo $VERSION_CODENAME')).toBe('bookworm');
    expect(await remote(ssh, 'id -un')).toBe('root');
    expect(await remote(ssh, 'hostname')).toBe('vps-1');
    expect(await remote(ssh, 'command -v docker ufw fail2ban-client || echo none')).toBe('none');
    expect(await remote(ssh, 'systemctl is-active ssh')).toBe('active');
  });

  it('is reachable at its address on the network the test created, with its own host key', async () => {
    expect(server.address).toMatch(/^172\.31\.\d+\.\d+$/);
    const direct = await bed.ssh(server, 'network');
    try {
      expect(await remote(direct, 'hostname')).toBe('vps-1');
      const fingerprint = await remote(direct, 'ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
      expect(fingerprint).toMatch(/^256 SHA256:/);
    } finally {
      direct.dispose();
    }
  });

  it('refuses a key it was not given', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hlw-e2e-other-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${dir}/k`]);
      const other = new NodeSSH();
      await expect(
        other.connect({ host: '127.0.0.1', port: server.sshPort, username: 'root', privateKey: readFileSync(`${dir}/k`, 'utf8'), readyTimeout: 10_000, hostVerifier: () => true }),
      ).rejects.toThrow(/authentication/i);
      other.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes net.* sysctls for real and shadows host-wide ones without touching the host', async () => {
    await remote(ssh, 'sysctl -qw net.ipv4.tcp_syncookies=1 kernel.kptr_restrict=2');
    expect(await remote(ssh, 'sysctl -n net.ipv4.tcp_syncookies kernel.kptr_restrict')).toBe('1\n2');
    // The host's own value is whatever it was; the write above must not have reached it.
    expect(readFileSync('/proc/sys/kernel/kptr_restrict', 'utf8').trim()).not.toBe('2');
  });

  it('blocks what would reach the host: swap, clock, kernel modules', async () => {
    await remote(ssh, 'fallocate -l 8M /swapfile-test && chmod 600 /swapfile-test && mkswap /swapfile-test >/dev/null');
    const swap = await ssh.execCommand('swapon /swapfile-test; rm -f /swapfile-test');
    expect(swap.stderr).toMatch(/Operation not permitted/);
    expect((await ssh.execCommand('date -s "2001-01-01"')).code).not.toBe(0);
    expect((await ssh.execCommand('modprobe dummy')).code).not.toBe(0);
  });

  it('installs Docker like a real server and pulls stack images from the local registry', async () => {
    const installed = await remote(ssh, 'bash -s', { stdin: installDockerScript(bed.mirror) });
    expect(installed).toMatch(/^active$/m);
    expect(installed).toMatch(/Docker Compose version (v)?2\./);
    // A Docker Hub name resolves through the mirror the provider image configured.
    await remote(ssh, 'docker pull -q redis:8.0-bookworm');
    await remote(ssh, 'docker run -d --name cache redis:8.0-bookworm');
    let pong = '';
    for (let i = 0; i < 40 && pong !== 'PONG'; i += 1) {
      pong = (await ssh.execCommand('docker exec cache redis-cli -h 127.0.0.1 ping')).stdout.trim();
      if (pong !== 'PONG') await new Promise((r) => setTimeout(r, 250));
    }
    expect(pong).toBe('PONG');
    // A name from another registry, rewritten onto the local one as `images.registry` does.
    const pulled = await remote(ssh, 'docker pull -q sandbox-registry:5000/n8nio/n8n:2.7.3 && docker image inspect -f "{{index .Config.Labels \\"org.homelab-wizard.stand-in\\"}}" sandbox-registry:5000/n8nio/n8n:2.7.3');
    expect(pulled.trim().split('\n').pop()).toBe('n8n');
  });

  it('comes back after a reboot with its own edits kept and first boot not run again', async () => {
    await remote(ssh, 'echo "203.0.113.99 marker.example.com" >> /etc/hosts && hostnamectl set-hostname vps-renamed');
    // /run is a tmpfs: a file there survives anything but a reboot (boot_id is the shared host kernel's).
    await remote(ssh, 'touch /run/before-reboot');
    await ssh.execCommand('(sleep 1; systemctl reboot) >/dev/null 2>&1 </dev/null &');
    ssh.dispose();
    await new Promise((r) => setTimeout(r, 3000));
    // The 127.0.0.1 port may change when Docker restarts the container: read it again.
    server = (await listServers(bed.docker, { bed: bed.spec.name })).find((x) => x.host === 'vps-1') as SandboxServer;
    await waitForServer(bed.docker, server, 90_000);
    ssh = await bed.ssh(server);
    expect(await remote(ssh, 'test -e /run/before-reboot && echo still-there || echo rebooted')).toBe('rebooted');
    expect(await remote(ssh, 'hostname')).toBe('vps-renamed');
    expect(await remote(ssh, 'grep -c marker.example.com /etc/hosts')).toBe('1');
    expect(await remote(ssh, 'systemctl is-active docker')).toBe('active');
    expect(await remote(ssh, 'docker ps --format "{{.Names}}" --filter name=cache')).toBe('');
    expect(await remote(ssh, 'wc -l < /root/.ssh/authorized_keys')).toBe('1');
  });

  it('ships the Tailscale and Headscale stand-ins at their pinned versions', async () => {
    expect((await remote(ssh, 'tailscale version')).split('\n')[0]).toBe('1.90.6');
    expect(await remote(ssh, 'headscale version')).toBe('v0.26.1');
    const status = JSON.parse(await remote(ssh, 'tailscale status --json')) as { BackendState: string };
    expect(status.BackendState).toBe('NoState');
  });
});
