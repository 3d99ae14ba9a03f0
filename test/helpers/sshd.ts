import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ensureCommands } from './system-packages.js';

/** A free TCP port on loopback (bound once by the kernel's choice, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  /** The client's private key, authorised for root. */
  readonly clientKey: string;
  readonly hostKeyPub: string;
  readonly logFile: string;
  /** `[127.0.0.1]:port ssh-ed25519 AAAA…`: a known_hosts line for this server. */
  readonly knownHostsLine: string;
  /** TCP connections sshd accepted so far (its VERBOSE "Connection from" lines). */
  connections(): number;
  log(): string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Extra sshd_config lines, e.g. `SetEnv BASH_ENV=/path` for a test hook. */
  readonly config?: readonly string[];
}

/**
 * A real OpenSSH sshd of our own on a free loopback port: its own host key, authorized_keys and
 * config in a temp folder, never the machine's sshd. Logs at VERBOSE to a file, so tests can
 * count connections. Stop it in afterAll.
 */
export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  ensureCommands({ sshd: 'openssh-server', 'ssh-keygen': 'openssh-client' });
  const sshd = existsSync('/usr/sbin/sshd') ? '/usr/sbin/sshd' : 'sshd';
  // sshd insists on its privilege separation folder; it is empty and shared, so it is left in place.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-sshd-'));
  const key = (name: string): void => void execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(dir, name)]);
  key('host_ed25519');
  key('client_ed25519');
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_ed25519.pub')), { mode: 0o600 });
  const logFile = path.join(dir, 'sshd.log');

  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${path.join(dir, 'host_ed25519')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding yes',
        'LogLevel VERBOSE',
        'MaxStartups 50',
        ...(options.config ?? []),
        '',
      ].join('\n'),
    );
    writeFileSync(logFile, '');
    const fd = openSync(logFile, 'a');
    const child: ChildProcess = spawn(sshd, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    const started = await waitFor(() => readFileSync(logFile, 'utf8'), (log) => /Server listening on 127\.0\.0\.1 port/.test(log) || child.exitCode !== null, 10_000);
    if (/Server listening/.test(started)) {
      const hostPub = readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ');
      const connectionLine = new RegExp(`Connection from 127\\.0\\.0\\.1 port \\d+ on 127\\.0\\.0\\.1 port ${port}`, 'g');
      return {
        port,
        dir,
        clientKey: path.join(dir, 'client_ed25519'),
        hostKeyPub: path.join(dir, 'host_ed25519.pub'),
        logFile,
        knownHostsLine: `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}`,
        connections: () => (readFileSync(logFile, 'utf8').match(connectionLine) ?? []).length,
        log: () => readFileSync(logFile, 'utf8'),
        stop: async () => {
          if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill('SIGTERM');
            await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
            if (child.exitCode === null) child.kill('SIGKILL');
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    lastError = started;
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start: ${lastError.slice(-500)}`);
}

/** Poll `read` until `done` says so or the time is up; returns the last value read. */
export async function waitFor<T>(read: () => T, done: (value: T) => boolean, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = read();
  }
  return value;
}

/**
 * A one-host profile (`lab`, host `box`) reaching a test sshd on loopback as root, deploying under
 * `remote`, written to `<project>/profiles/lab.yaml`.
 */
export async function writeLoopbackProfile(project: string, sshd: TestSshd, remote: string): Promise<void> {
  mkdirSync(path.join(project, 'profiles'), { recursive: true });
  writeFileSync(
    path.join(project, 'profiles', 'lab.yaml'),
    stringify({
      schemaVersion: 1,
      project: { name: 'lab' },
      domain: { name: 'example.com' },
      operator: { sshPublicKeys: [readFileSync(`${sshd.clientKey}.pub`, 'utf8').trim()], identityFile: sshd.clientKey },
      hosts: [{ name: 'box', role: 'app-server', address: '127.0.0.1', ssh: { port: sshd.port, targetPort: await freePort(), user: 'root', adminUser: 'deploy' } }],
      deploy: { root: remote },
    }),
  );
}
