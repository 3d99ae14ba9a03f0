// Runs bench/ansible/check.yml against sandbox servers with Debian's ansible-core.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTimed } from './timing.mjs';

export function ansibleRunner(repo, bed, project, servers) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hlw-bench-ansible-'));
  const inventory = path.join(dir, 'inventory.ini');
  const common = `-o UserKnownHostsFile=${project.knownHosts} -o StrictHostKeyChecking=yes`;
  writeFileSync(inventory, ['[bench]', ...servers.map((s) => `${s.host} ansible_host=${s.address} ansible_port=2222 ansible_user=deploy ansible_ssh_private_key_file=${bed.privateKeyPath} ansible_ssh_common_args='${common}'`), ''].join('\n'));
  const vars = path.join(dir, 'vars.json');
  writeFileSync(vars, JSON.stringify({ project: project.projectName, admin_user: 'deploy', ssh_port: 2222, admin_key: bed.publicKey.split(' ')[1], services: ['caddy', 'redis'] }));
  const ansibleDir = path.join(repo, 'bench/ansible');
  let n = 0;
  return {
    /** One cold run: a fresh ControlPath folder, so no master connection survives from the last run. */
    async run(limit) {
      const control = path.join(dir, `cp-${(n += 1)}`);
      const args = ['-i', inventory, path.join(ansibleDir, 'check.yml'), '--extra-vars', `@${vars}`, ...(limit ? ['--limit', limit] : [])];
      const r = await runTimed('ansible-playbook', args, { cwd: ansibleDir, env: { ...process.env, ANSIBLE_CONFIG: path.join(ansibleDir, 'ansible.cfg'), ANSIBLE_SSH_CONTROL_PATH_DIR: control, ANSIBLE_NOCOLOR: '1' }, timeoutMs: 600_000 });
      const recap = r.stdout.split('PLAY RECAP').pop() ?? '';
      const hosts = [...recap.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
      r.tasksOk = hosts.map((h) => Number(h[2]));
      r.unchanged = hosts.length > 0 && hosts.every((h) => h[3] === '0' && h[4] === '0' && h[5] === '0');
      return r;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Authenticated SSH connections the server's sshd has logged so far (read with docker exec, not SSH). */
export async function acceptedConnections(bed, server) {
  const out = await bed.exec(server, "journalctl -t sshd -o cat --no-pager | grep -c '^Accepted ' || true");
  return Number(out.trim() || '0');
}
