import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/lib/secret.js';
import type { Command } from '../../../src/plan/command.js';
import { hardenContext } from '../../../src/steps/harden/context.js';
import { firewallSteps } from '../../../src/steps/harden/firewall.js';
import { hubHeadscaleArgv, parseHeadscaleUsers, parseHeadscaleVersion, preauthKeyArgs } from '../../../src/steps/vpn/headscale-cli.js';
import { vpnLateSteps } from '../../../src/steps/vpn/vpn-steps.js';
import { ensureCommands } from '../../helpers/system-packages.js';
import { freePort } from '../../helpers/sshd.js';
import { REPO, validExample } from '../../helpers/profiles.js';

/**
 * The vpn steps' shell scripts, run by this machine's sh against the sandbox's Headscale 0.26.1 and
 * Tailscale 1.90.6 stand-ins (templates/sandbox/stand-ins) and a stand-in `ufw` that keeps its
 * rules in a file: the hub's key command, the join (key on stdin), its check, and SSH restricted
 * to the VPN, which hardening then keeps.
 */
const STAND_INS = path.join(REPO, 'templates/sandbox/stand-ins');
const dir = mkdtempSync(path.join(tmpdir(), 'hlw-vpn-scripts-'));
const bin = path.join(dir, 'bin');
const tmp = path.join(dir, 'tmp');
let port = 0;
let server: ChildProcess;

function env(): NodeJS.ProcessEnv {
  return {
    PATH: `${bin}:${process.env['PATH']}`, PYTHONPATH: STAND_INS, TMPDIR: tmp, UFW_STATE: path.join(dir, 'ufw'),
    HEADSCALE_STAND_IN_STATE: path.join(dir, 'headscale.json'), HEADSCALE_STAND_IN_SOCKET: path.join(dir, 'headscale.sock'),
    HEADSCALE_LISTEN_ADDR: `127.0.0.1:${port}`, TS_STAND_IN_STATE: path.join(dir, 'tailscale.json'),
  };
}

/** Runs a step's command as the engine would (argv, stdin), here instead of over SSH. */
function run(command: Command): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The checks read ufw's files (src/steps/harden/ufw-state.ts): here the stand-in's.
    const [file, ...args] = command.argv.map((a) => a.replaceAll('/etc/ufw/', `${dir}/etc-ufw/`).replaceAll('/etc/default/ufw', `${dir}/etc-ufw/default`));
    const child = execFile(file as string, args, { env: env(), timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    const input = command.stdin === undefined ? '' : typeof command.stdin === 'string' ? command.stdin : command.stdin.reveal();
    // A command that does not read its stdin (a check) may exit before the write lands: not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

function tool(name: string, script: string): void {
  writeFileSync(path.join(bin, name), script);
  chmodSync(path.join(bin, name), 0o755);
}


beforeAll(async () => {
  ensureCommands({ python3: 'python3' });
  mkdirSync(bin);
  mkdirSync(tmp);
  port = await freePort();
  tool('tailscale', `#!/bin/sh\nexec python3 ${STAND_INS}/tailscale "$@"\n`);
  tool('headscale', `#!/bin/sh\nexec python3 ${STAND_INS}/headscale "$@"\n`);
  // No Docker here: no headscale container, so the hub command falls back to the host's headscale.
  tool('docker', '#!/bin/sh\nexit 0\n');
  tool('ss', '#!/bin/sh\nexit 0\n');
  // A ufw stand-in: the rules as `ufw show added` prints them, one per line, in $UFW_STATE, and
  // in ufw's own files as ufw 0.36 writes them (the `### tuple ###` lines of user.rules and
  // user6.rules, ENABLED in ufw.conf, the input policy); its chains are "loaded" while it is on.
  const etc = path.join(dir, 'etc-ufw');
  mkdirSync(etc);
  tool('ufw', `#!/bin/sh
f="$UFW_STATE"; e="${etc}"; touch "$f" "$f.active"
case "$1" in
  default) [ "$2 $3" = "deny incoming" ] && echo 'DEFAULT_INPUT_POLICY="DROP"' > "$e/default" ;;
  --force) echo on > "$f.active"; echo ENABLED=yes > "$e/ufw.conf" ;;
  show) echo "Added user rules (see 'ufw status' for running firewall):"; cat "$f" ;;
  delete) shift; r="ufw $*"; grep -vxF -- "$r" "$f" > "$f.new" || true; mv "$f.new" "$f" ;;
  allow) r="ufw $*"; grep -qxF -- "$r" "$f" || echo "$r" >> "$f" ;;
  *) echo "ufw stand-in: $*" >&2; exit 2 ;;
esac
sed -n -e 's@^ufw allow \\([0-9]*\\)/\\([a-z]*\\)$@### tuple ### allow \\2 \\1 0.0.0.0/0 any 0.0.0.0/0 in@p' -e 's@^ufw allow from \\([0-9./]*\\) to any port \\([0-9]*\\) proto \\([a-z]*\\)$@### tuple ### allow \\3 \\2 0.0.0.0/0 any \\1 in@p' "$f" > "$e/user.rules"
sed -n -e 's@^ufw allow \\([0-9]*\\)/\\([a-z]*\\)$@### tuple ### allow \\2 \\1 ::/0 any ::/0 in@p' "$f" > "$e/user6.rules"
`);
  tool('iptables', `#!/bin/sh\n[ -s "$UFW_STATE.active" ]\n`);
  server = spawn('python3', [path.join(STAND_INS, 'headscale'), 'serve'], { env: env(), stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    if ((await run({ argv: ['headscale', 'health'] })).code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the headscale stand-in did not start');
});

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const profile = validExample('vpai', (raw) => (raw.vpn.headscaleUrl = `https://vpn.example.com/`));
const node = profile.hosts.find((h) => h.name === 'sese-ai')!;

describe('the vpn scripts against the stand-ins', { timeout: 60_000 }, () => {
  let key = '';

  it('makes a single-use key on the hub with the CLI of the version it finds (0.26: the user ID)', async () => {
    const hs = (...args: string[]) => run({ argv: hubHeadscaleArgv('p', args) });
    const version = parseHeadscaleVersion((await hs('version')).stdout)!;
    expect(version).toEqual({ major: 0, minor: 26, patch: 1 });
    expect((await hs('users', 'create', 'homelab')).code).toBe(0);
    const user = parseHeadscaleUsers((await hs('users', 'list', '-o', 'json')).stdout).find((u) => u.name === 'homelab')!;
    const made = await hs(...preauthKeyArgs(version, user, '10m'));
    expect(made.code, made.stderr).toBe(0);
    key = made.stdout.trim();
    expect(key).toMatch(/^[0-9a-f]{48}$/);
    const listed = JSON.parse((await hs('preauthkeys', 'list', '--user', user.id, '-o', 'json')).stdout);
    expect(listed[0]).not.toHaveProperty('reusable');
    expect(listed[0].expiration.seconds - listed[0].created_at.seconds).toBeLessThanOrEqual(600);
  });

  it('joins with the key from stdin through a private file that is gone after, and then checks as converged', async () => {
    const projectDir = path.join(dir, 'project');
    mkdirSync(projectDir);
    const local = { ...profile, deploy: { ...profile.deploy, root: dir }, project: { ...profile.project, name: 'project' } };
    // The stand-in Tailscale reaches the stand-in Headscale over plain HTTP here.
    const url = `http://127.0.0.1:${port}`;
    const p = { ...local, vpn: { ...local.vpn, headscaleUrl: url } };
    const [keyless] = vpnLateSteps(p, node);
    expect((await run(keyless!.check!)).code).not.toBe(0);
    expect((await run(keyless!.apply[0]!)).stderr).toMatch(/no pre-auth key was made/);
    const [join] = vpnLateSteps(p, node, Secret.of(key));
    const joined = await run(join!.apply[0]!);
    expect(joined.code, joined.stderr).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readFileSync(path.join(projectDir, 'vpn-login-server'), 'utf8')).toBe(`${url}\n`);
    expect((await run(join!.check!)).code).toBe(0);
    expect((await run({ argv: ['tailscale', 'ip', '-4'] })).stdout.trim()).toMatch(/^100\.64\.0\.\d+$/);
    // The key was single-use: a second join with it is refused by Headscale.
    expect((await run(join!.apply[0]!)).stderr).toMatch(/authkey already used/);
    // Another login server is not "joined".
    const other = vpnLateSteps({ ...p, vpn: { ...p.vpn, headscaleUrl: 'https://other.example.com' } }, node)[0]!;
    expect((await run(other.check!)).code).not.toBe(0);
  });

  it('restricts SSH to the VPN, and hardening keeps it restricted instead of reopening it', async () => {
    const [fw] = firewallSteps(hardenContext(profile, node));
    expect((await run(fw!.apply[0]!)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'ufw'), 'utf8')).toContain(`ufw allow ${node.ssh.targetPort}/tcp\n`);
    expect((await run(fw!.check!)).code).toBe(0);
    const restrict = vpnLateSteps(profile, node).find((s) => s.id === 'vpn.access.ssh-vpn-only')!;
    expect((await run(restrict.check!)).code).not.toBe(0);
    expect((await run(restrict.apply[0]!)).code).toBe(0);
    expect((await run(restrict.check!)).code).toBe(0);
    const rules = readFileSync(path.join(dir, 'ufw'), 'utf8');
    expect(rules).toContain(`ufw allow from 100.64.0.0/10 to any port ${node.ssh.targetPort} proto tcp\n`);
    expect(rules).not.toContain(`ufw allow ${node.ssh.targetPort}/tcp\n`);
    // The harden firewall step is converged with the restriction, and running it again keeps it.
    expect((await run(fw!.check!)).code).toBe(0);
    expect((await run(fw!.apply[0]!)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'ufw'), 'utf8')).toBe(rules);
    // The guard's revert brings the public rule back (and then the restriction is a change again).
    for (const c of restrict.guard!.revert) expect((await run(c)).code).toBe(0);
    expect((await run(restrict.check!)).code).not.toBe(0);
    // In public mode the restriction is not tolerated: hardening reopens SSH.
    const pub = { ...profile, access: { mode: 'public' as const } };
    const [fwPublic] = firewallSteps(hardenContext(pub, pub.hosts.find((h) => h.name === node.name)!));
    expect(existsSync(path.join(dir, 'ufw'))).toBe(true);
    expect((await run(restrict.apply[0]!)).code).toBe(0);
    expect((await run(fwPublic!.check!)).code).not.toBe(0);
  });
});
