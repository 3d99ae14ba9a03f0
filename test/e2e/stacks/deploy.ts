import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { N8N_OWNER } from '../../../src/remote/generated-scripts.js';
import { quote } from '../../../src/shell/quote.js';
import { HEALTH_GATE } from '../../../src/steps/deploy/health-gate.js';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { composeContainers, dockerAgreesHealthy, remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

/**
 * The deploy phase on a real sandbox server with its own Docker engine: infra and apps up and
 * health-gated, one database user per app with its own password (a nasty one), a second apply
 * with nothing to do, and a changed secret that recreates only the service that uses it. n8n's
 * owner is set up through n8n's API on the first apply and still logs in after n8n is recreated.
 */
export function describeDeploy(host: StackServer): void {
  describe('deploy on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'deploy');
    const NAME = 'e2e-deploy';
    const NASTY = `pa'ss "word" $HOME \\back\\slash sp ace ünïcödé`;
    const cli = project.cli({ profile: NAME });
    const containers = (): Promise<Record<string, string>> => composeContainers(host.ssh);

    /** Logs in to PostgreSQL as the app would, the password on stdin (never on a command line). */
    async function dbLogin(user: string, database: string, password: string): Promise<string> {
      return remote(
        host.ssh,
        `cd /opt/homelab/${NAME}/current && docker compose -p ${NAME}-infra -f docker-compose-infra.yml exec -T postgresql sh -c 'IFS= read -r p; PGPASSWORD="$p" psql -h 127.0.0.1 -U ${user} -d ${database} -tAc "select current_user"'`,
        { stdin: `${password}\n` },
      );
    }

    let first: Record<string, string> = {};
    let vault = new Map<string, string>();

    /** n8n's own answer: is the owner set up (its settings no longer offer the setup page)? */
    async function ownerSetUp(): Promise<boolean> {
      const out = await remote(host.ssh, `cd /opt/homelab/${NAME}/current && docker compose -p ${NAME} -f docker-compose.yml exec -T n8n wget -qO- http://127.0.0.1:5678/rest/settings`);
      return (JSON.parse(out) as { data: { userManagement: { showSetupOnFirstLoad: boolean } } }).data.userManagement.showSetupOnFirstLoad === false;
    }

    /** The owner logs in through n8n's /rest/login in its container (the deploy's own script), the password on stdin. */
    async function ownerLogin(password: string): Promise<string> {
      const r = await host.ssh.execCommand(`cd /opt/homelab/${NAME}/current && docker compose -p ${NAME} -f docker-compose.yml exec -T n8n ${quote(['sh', '-c', N8N_OWNER, 'sh', 'login', 'ops@example.com'])}`, { stdin: `${Buffer.from(password).toString('base64')}\n` });
      return r.stdout.trim();
    }

    beforeAll(async () => {
      await host.clear();
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, services: ['docker', 'caddy', 'postgresql', 'redis', 'n8n'] }], STACK);
      project.writeProfile(doc);
      vault = await project.writeVault(doc, { set: { 'n8n.dbPassword': NASTY } });
    }, 300_000);

    afterAll(() => project.remove());

    it('brings infra and apps up healthy, and each app logs in to PostgreSQL with its own password', async () => {
      const r = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      first = await containers();
      expect(Object.keys(first).sort()).toEqual(['caddy', 'n8n', 'postgresql', 'redis']);
      // The gate may pass a service before Docker's first scheduled check: Docker must agree afterwards.
      const health = await dockerAgreesHealthy(host.ssh);
      for (const line of health.split('\n').filter(Boolean)) expect(line).toMatch(/\(healthy\)/);
      expect((await dbLogin('n8n', 'n8n', NASTY)).trim()).toBe('n8n');
      expect(await remote(host.ssh, `readlink /opt/homelab/${NAME}/current`)).toMatch(/^releases\/[0-9a-f]{12}$/);
      expect(await remote(host.ssh, `stat -c '%a' /opt/homelab/${NAME}/current/env/n8n.env`)).toBe('600');
      // The owner of admins.n8nOwner, set up through n8n's API by deploy.n8n.owner, with the vault's password.
      expect(await ownerSetUp()).toBe(true);
      expect(await ownerLogin(vault.get('n8n.ownerPassword') ?? '')).toBe('ok');
      expect(await ownerLogin('Not-the-owner-1')).toMatch(/^n8n refused the login of ops@example\.com: 401 /);
      // Neither the owner's password nor its base64 form went to the host's logs.
      const pw = vault.get('n8n.ownerPassword') ?? '';
      expect(pw).toMatch(/^(?=.*[0-9])(?=.*[A-Z])(?=.*[a-z]).{24}$/);
      expect(await remote(host.ssh, `grep -rlF -e ${quote([pw])} -e ${quote([Buffer.from(pw).toString('base64')])} /opt/homelab/${NAME}/audit.log /var/log/syslog 2>/dev/null || true`)).toBe('');
    }, 900_000);

    it("the health gate, on this server's Docker: passes a container Docker has not checked yet when its own test passes, and only then", async () => {
      const ssh = host.ssh;
      // Docker's first check comes an hour after the start: only the gate's own test can decide.
      const image = (await remote(ssh, `docker inspect -f '{{.Config.Image}}' "$(docker ps -q --filter label=com.docker.compose.service=redis)"`)).trim();
      const start = (svc: string, test: string): Promise<string> =>
        remote(ssh, `docker run -d --name gate-probe-${svc} --label com.docker.compose.project=gate-probe --label com.docker.compose.service=${svc} --label com.docker.compose.oneoff=False --health-cmd '${test}' --health-interval 1h --health-timeout 3s --entrypoint sleep ${image} 600`);
      const gate = (timeout: number, ...svcs: string[]) => ssh.execCommand(`sh -c '${`${HEALTH_GATE}
hlw_gate "$@"`.replaceAll("'", `'\\''`)}' gate gate-probe ${timeout} ${svcs.join(' ')}`);
      try {
        await start('passes', 'test -d /data && echo ok');
        await start('fails', 'exit 1');
        const ok = await gate(10, 'passes');
        expect(ok.code, ok.stderr).toBe(0);
        expect((await remote(ssh, `docker ps --filter name=gate-probe-passes --format '{{.Status}}'`)).trim()).toMatch(/\(health: starting\)/);
        const no = await gate(2, 'passes', 'fails');
        expect(no.code).toBe(1);
        // node-ssh trims the output.
        expect(no.stderr).toBe('fails: not healthy within 2 s, last state: running, health: starting (its own health test does not pass yet)');
      } finally {
        await remote(ssh, 'docker rm -f gate-probe-passes gate-probe-fails >/dev/null 2>&1 || true');
      }
    }, 120_000);

    it('has nothing to do the second time: apply changes nothing and plan exits 0', async () => {
      const again = await cli('apply', '--only', 'deploy');
      expect(again.code, again.stderr).toBe(0);
      expect(`${again.stdout}${again.stderr}`).toMatch(/0 changed/);
      const plan = await cli('plan', '--only', 'deploy');
      expect(plan.code, plan.stdout).toBe(0);
      expect(await containers()).toEqual(first);
    }, 600_000);

    it('recreates only the service whose secret changed, and the new password reaches PostgreSQL', async () => {
      // secrets set reads the value from stdin, never from argv.
      const set = await cli.withInput('new-$pass "2"', 'secrets', 'set', 'n8n.dbPassword');
      expect(set.code, set.stderr).toBe(0);
      const r = await cli('apply', '--only', 'deploy');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const after = await containers();
      expect(after['n8n']).not.toBe(first['n8n']);
      for (const svc of ['caddy', 'postgresql', 'redis']) expect(after[svc], svc).toBe(first[svc]);
      expect((await dbLogin('n8n', 'n8n', 'new-$pass "2"')).trim()).toBe('n8n');
      // n8n came back on a new container with the same encryption key (it refuses another one) and
      // its data: the owner is still set up and logs in.
      expect(await ownerSetUp()).toBe(true);
      expect(await ownerLogin(vault.get('n8n.ownerPassword') ?? '')).toBe('ok');
    }, 900_000);

    it('restores the previous release when the new one cannot come up, says why, and leaves the stack running', async () => {
      const file = path.join(project.dir, 'profiles', `${NAME}.yaml`);
      const before = await containers();
      const current = await remote(host.ssh, `readlink /opt/homelab/${NAME}/current`);
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, good.replace('- n8n', '- { name: n8n, version: 0.0.0-missing }'));
      const r = await cli('apply', '--only', 'deploy');
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).toMatch(/health gate failed/);
      expect(`${r.stdout}${r.stderr}`).toMatch(/restored the previous release/);
      expect(await remote(host.ssh, `readlink /opt/homelab/${NAME}/current`)).toBe(current);
      expect(await containers()).toEqual(before);
      writeFileSync(file, good);
      const back = await cli('plan', '--only', 'deploy');
      expect(back.code, back.stdout).toBe(0);
    }, 900_000);
  });
}
