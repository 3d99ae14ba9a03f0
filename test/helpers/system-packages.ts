import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Integration tests use real system programs (sshd, age, tmux, docker). On a fresh Debian or
 * Ubuntu machine running as root they are installed here; anywhere else the test fails with a
 * message that names what to install. Never a silent skip.
 */
const installed = new Set<string>();

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** `needs` maps a command to the Debian package that provides it, e.g. { sshd: 'openssh-server' }. */
export function ensureCommands(needs: Record<string, string>): void {
  const missing = Object.entries(needs).filter(([command]) => !installed.has(command) && !has(command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const isRoot = process.getuid?.() === 0;
  const hasApt = has('apt-get');
  if (!isRoot || !hasApt) {
    throw new Error(`missing ${missing.map(([c]) => c).join(', ')}: install the Debian packages ${packages.join(' ')} (apt-get install -y ${packages.join(' ')})`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another test run (or another program) may hold the dpkg lock: wait for it rather than fail.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const install = (): void => void execFileSync('apt-get', [...lock, 'install', '-y', '--no-install-recommends', ...packages], { stdio: 'ignore', env, timeout: 600_000 });
  try {
    install();
  } catch {
    execFileSync('apt-get', [...lock, 'update'], { stdio: 'ignore', env, timeout: 300_000 });
    install();
  }
  for (const [command] of missing) {
    // sshd lives in /usr/sbin, which may not be on a test runner's PATH.
    if (!has(command) && !has(`/usr/sbin/${command}`)) throw new Error(`installed ${packages.join(' ')} but ${command} is still missing`);
    installed.add(command);
  }
}
