#!/usr/bin/env node
// A run with nothing to change against one host: how close to the floor of one SSH connection
// plus one round trip? Starts its own sshd on a free loopback port (root on this machine, like the
// tests), applies once, then times no-change `plan` and `apply` against:
//   floor A: `node -e ""` (process start) + `ssh host true` (one connection, one round trip)
//   floor B: `ssh host true` twice in one connection is not possible with the plain client, so the
//            extra round trip of apply (audit + unlock) is shown by `ssh host 'true; true'` vs 2 calls.
// Usage: node bench/no-change-run.mjs [runs]   (needs openssh-server; run `npm ci` first)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 10);
const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'hlw-bench-'));
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const closed = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

for (const k of ['host', 'client']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, k)]);
writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client.pub')));
writeFileSync(path.join(dir, 'sshd_config'), [`ListenAddress 127.0.0.1`, `Port ${port}`, `HostKey ${dir}/host`, `AuthorizedKeysFile ${dir}/authorized_keys`, `PidFile ${dir}/pid`, 'UsePAM no', 'StrictModes no', 'PasswordAuthentication no', ''].join('\n'));
mkdirSync('/run/sshd', { recursive: true });
const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));

const project = path.join(dir, 'project');
mkdirSync(path.join(project, 'profiles'), { recursive: true });
const pub = readFileSync(path.join(dir, 'client.pub'), 'utf8').trim();
writeFileSync(path.join(project, 'profiles', 'bench.yaml'), [
  'schemaVersion: 1', 'project: { name: bench }', 'domain: { name: example.com }',
  `operator: { sshPublicKeys: ["${pub}"], identityFile: ${dir}/client }`,
  `hosts: [{ name: box, role: app-server, address: 127.0.0.1, ssh: { port: ${port}, targetPort: ${closed}, user: root } }]`,
  `deploy: { root: ${dir}/remote }`, '',
].join('\n'));

const cli = (args) => spawnSync(process.execPath, [path.join(repo, 'bin/homelab-wizard.js'), ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '' } });
const ssh = (command) => spawnSync('ssh', ['-i', `${dir}/client`, '-p', String(port), '-o', `UserKnownHostsFile=${project}/profiles/bench.known_hosts`, '-o', 'BatchMode=yes', 'root@127.0.0.1', command], { stdio: 'ignore' });
if (cli(['apply', '--accept-new-host-keys']).status !== 0) throw new Error('first apply failed');

function time(fn, expect) {
  const start = process.hrtime.bigint();
  const r = fn();
  if (r.status !== expect) throw new Error(`exit ${r.status}, expected ${expect}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return `${Math.round(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2)} ms (${Math.round(s[0])}–${Math.round(s.at(-1))})`;
};
const cases = [
  ['node -e "" (process start)', () => spawnSync(process.execPath, ['-e', '']), 0],
  ['ssh host true (1 connection, 1 round trip)', () => ssh('true'), 0],
  ['ssh host true, twice (2 connections)', () => { ssh('true'); return ssh('true'); }, 0],
  ['homelab-wizard --help', () => cli(['--help']), 0],
  ['plan, no changes (1 connection, 1 round trip)', () => cli(['plan']), 0],
  ['apply, no changes (1 connection, 2 round trips)', () => cli(['apply']), 0],
];
console.log(`node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${runs} runs after 1 warm-up; remote login shell: ${os.userInfo().shell}`);
try {
  for (const [name, fn, expect] of cases) {
    time(fn, expect);
    const xs = Array.from({ length: runs }, () => time(fn, expect));
    console.log(`${name.padEnd(50)} ${stats(xs)}`);
  }
} finally {
  sshd.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
