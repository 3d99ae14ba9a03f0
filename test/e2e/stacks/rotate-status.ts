import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../../src/commands/status.js';
import { prepareBed } from '../../../src/sandbox/prepare-bed.js';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { composeContainers, dockerAgreesHealthy, remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

/**
 * Day-2 on one sandbox server: rotated PostgreSQL (superuser), Redis and Grafana passwords are
 * changed INSIDE the running services by the next apply (new works, old refused); `status` in sync,
 * then naming a file edited by hand and a stopped service; and a deploy killed with SIGKILL that
 * the next apply finishes, with the data written before the kill still there.
 */
export function describeRotation(host: StackServer): void {
  const project = new SandboxProject(host.bed, 'rotate');
  const NAME = 'e2e-rotate';
  const HOME = `/opt/homelab/${NAME}`;
  const GRAFANA_IMAGE = 'sandbox-registry:5000/grafana/grafana:12.3.2';
  const cli = project.cli({ profile: NAME });
  const containers = (): Promise<Record<string, string>> => composeContainers(host.ssh);

  /** The value of a vault key, read with the CLI (`secrets get` prints the bare value). */
  async function vaultValue(key: string): Promise<string> {
    const r = await cli('secrets', 'get', key);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.replace(/\n$/, '');
  }

  const infra = `cd ${HOME}/current && docker compose -p ${NAME}-infra -f docker-compose-infra.yml exec -T`;
  const apps = `cd ${HOME}/current && docker compose -p ${NAME} -f docker-compose.yml exec -T`;

  /** Every probe below takes the password on stdin, never on a command line. */
  async function postgresLogin(password: string): Promise<{ code: number; out: string }> {
    const r = await host.ssh.execCommand(`${infra} postgresql sh -c 'IFS= read -r p; PGPASSWORD="$p" psql -h 127.0.0.1 -U postgres -d postgres -tAc "select current_user"'`, { stdin: `${password}\n` });
    return { code: r.code ?? -1, out: `${r.stdout}${r.stderr}` };
  }

  async function redisPing(password: string): Promise<string> {
    const r = await host.ssh.execCommand(`${infra} redis sh -c 'IFS= read -r p; REDISCLI_AUTH="$p" redis-cli --no-auth-warning -h 127.0.0.1 ping'`, { stdin: `${password}\n` });
    return `${r.stdout}${r.stderr}`.trim();
  }

  /** HTTP status of Grafana's /api/user with basic auth (curl reads the user:password from its config on stdin). */
  async function grafanaLogin(user: string, password: string): Promise<string> {
    const r = await host.ssh.execCommand(`${apps} grafana curl -s -o /dev/null -w '%{http_code}' -K - http://127.0.0.1:3000/api/user`, { stdin: `user = "${user}:${password}"\n` });
    return r.stdout.trim();
  }

  async function psqlAsSuperuser(sql: string): Promise<string> {
    return (await remote(host.ssh, `${infra} postgresql psql -q -U postgres -d postgres -tA`, { stdin: `${sql}\n` })).trim();
  }

  async function status(): Promise<{ code: number; text: string; json: HostStatus[] }> {
    const text = await cli('status', '--only', 'deploy');
    const json = await cli('status', '--only', 'deploy', '--json');
    expect(json.code).toBe(text.code);
    return { code: text.code ?? -1, text: `${text.stdout}${text.stderr}`, json: JSON.parse(json.stdout) as HostStatus[] };
  }

  describe('rotation, status and a killed deploy on a sandbox server', () => {
    beforeAll(async () => {
      await host.clear();
      // The sandbox images and the registry are shared by every bed on this Docker engine: publish
      // this checkout's images again right before the server pulls the Grafana stand-in (whose
      // password behaviour this file tests), so a bed built from another checkout in between cannot
      // hand it an older recipe; then check that the pulled image has the Grafana CLI.
      await prepareBed(process.env, (line) => process.stderr.write(`test bed: ${line}\n`));
      await remote(host.ssh, `docker pull -q ${GRAFANA_IMAGE} >/dev/null && docker run --rm --entrypoint sh ${GRAFANA_IMAGE} -c 'test -x /usr/share/grafana/bin/grafana'`);
      // Grafana needs VictoriaMetrics on its host (the catalogue's dependency).
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, services: ['docker', 'caddy', 'postgresql', 'redis', 'victoriametrics', 'grafana', 'n8n'] }], STACK);
      project.writeProfile(doc);
      await project.writeVault(doc);
    }, 600_000);

    afterAll(() => project.remove());

    it('deploys, and status exits 0 with every service on its pinned version and healthy', async () => {
      const r = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const s = await status();
      expect(s.code, s.text).toBe(0);
      const inv = s.json[0]?.inventory;
      expect(inv?.services.map((x) => x.service).sort()).toEqual(['caddy', 'grafana', 'n8n', 'postgresql', 'redis', 'victoriametrics']);
      for (const svc of inv?.services ?? []) {
        expect(svc, svc.service).toMatchObject({ state: 'running', problem: null });
        // Healthy as Docker says, or, before Docker's first check, as the deploy gate judged it: its own test passes.
        expect(svc.health === 'healthy' || (svc.health === 'starting' && svc.ownTestPassed === true), `${svc.service}: ${svc.health}`).toBe(true);
        expect(svc.runningTag).toBe(svc.pinnedTag);
      }
      expect(inv?.drifted).toEqual([]);
      expect(s.text).toContain('files:     as deployed');
      // Once Docker has run its own first checks, it agrees, and status says healthy.
      await dockerAgreesHealthy(host.ssh);
      const later = await status();
      expect(later.code, later.text).toBe(0);
      for (const svc of later.json[0]?.inventory?.services ?? []) expect(svc, svc.service).toMatchObject({ state: 'running', health: 'healthy', problem: null });
      expect(later.text).toMatch(/grafana +12\.3\.2 +12\.3\.2 +healthy/);
    }, 900_000);

    it('changes rotated passwords inside PostgreSQL, Redis and Grafana: the new ones work, the old ones are refused', async () => {
      const keys = ['postgresql.superuserPassword', 'redis.password', 'grafana.adminPassword'] as const;
      const old = Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await vaultValue(k)] as const)));
      expect((await postgresLogin(old['postgresql.superuserPassword']!)).out).toContain('postgres');
      expect(await redisPing(old['redis.password']!)).toBe('PONG');
      expect(await grafanaLogin('admin', old['grafana.adminPassword']!)).toBe('200');
      const before = await containers();

      const immutable = await cli('secrets', 'rotate', 'n8n.encryptionKey');
      expect(immutable.code).toBe(1);
      expect(immutable.stderr).toContain('n8n.encryptionKey can never be rotated');
      for (const key of keys) {
        const r = await cli('secrets', 'rotate', key);
        expect(r.code, r.stderr).toBe(0);
      }
      const fresh = Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await vaultValue(k)] as const)));
      for (const key of keys) expect(fresh[key]).not.toBe(old[key]);
      expect((await cli('secrets', 'show')).stdout).toMatch(/redeploy needed: .*grafana.*postgresql.*redis/);

      const r = await cli('apply', '--only', 'deploy');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/deploy\.postgresql\.databases.*\[changed\]/);
      expect(r.stdout).toMatch(/deploy\.grafana\.admin-password.*\[changed\]/);
      expect(r.stderr).toMatch(/Redeployed with their current secrets: .*grafana.*postgresql.*redis/);
      expect((await cli('secrets', 'show')).stdout).not.toContain('redeploy needed');

      const pgNew = await postgresLogin(fresh['postgresql.superuserPassword']!);
      expect(pgNew.code, pgNew.out).toBe(0);
      expect(pgNew.out.trim()).toBe('postgres');
      const pgOld = await postgresLogin(old['postgresql.superuserPassword']!);
      expect(pgOld.code).not.toBe(0);
      expect(pgOld.out).toMatch(/password authentication failed for user "postgres"/);

      expect(await redisPing(fresh['redis.password']!)).toBe('PONG');
      expect(await redisPing(old['redis.password']!)).toMatch(/WRONGPASS|NOAUTH/);

      expect(await grafanaLogin('admin', fresh['grafana.adminPassword']!)).toBe('200');
      expect(await grafanaLogin('admin', old['grafana.adminPassword']!)).toBe('401');

      // Redis and its consumer n8n (the password is in its env) are recreated, Grafana too (its env
      // holds GF_SECURITY_ADMIN_PASSWORD, which alone would not change the password: the login above
      // proves the CLI reset did); Caddy and VictoriaMetrics, untouched, keep their containers
      // although their env files and Caddyfile now live in another release folder.
      const after = await containers();
      expect(after['redis']).not.toBe(before['redis']);
      expect(after['n8n']).not.toBe(before['n8n']);
      expect(after['grafana']).not.toBe(before['grafana']);
      expect(after['caddy']).toBe(before['caddy']);
      expect(after['victoriametrics']).toBe(before['victoriametrics']);
      const again = await cli('apply', '--only', 'deploy');
      expect(again.stdout).toMatch(/0 changed/);
    }, 900_000);

    it('status exits 2 naming a file edited by hand under current/, then a stopped service; apply repairs both', async () => {
      await remote(host.ssh, `printf '# edited by hand\\n' >> ${HOME}/current/config/caddy/Caddyfile`);
      const edited = await status();
      expect(edited.code, edited.text).toBe(2);
      expect(edited.text).toMatch(/modified +config\/caddy\/Caddyfile/);
      expect(edited.json[0]?.inventory?.drifted).toEqual([{ path: 'config/caddy/Caddyfile', change: 'modified' }]);

      await remote(host.ssh, `docker stop $(docker ps -q --filter label=com.docker.compose.service=grafana) >/dev/null`);
      const stopped = await status();
      expect(stopped.code, stopped.text).toBe(2);
      expect(stopped.text).toMatch(/grafana +12\.3\.2 +12\.3\.2 +exited +← exited/);
      expect(stopped.json[0]?.inventory?.services.find((s) => s.service === 'grafana')).toMatchObject({ state: 'exited', problem: expect.stringContaining('exited') });

      const fix = await cli('apply', '--only', 'deploy');
      expect(fix.code, `${fix.stdout}\n${fix.stderr}`).toBe(0);
      const back = await status();
      expect(back.code, back.text).toBe(0);
    }, 900_000);

    it('finishes a deploy killed with SIGKILL while the infra stack was being recreated; the data survives', async () => {
      await psqlAsSuperuser("CREATE TABLE IF NOT EXISTS kept (note text); INSERT INTO kept VALUES ('written before the kill');");
      const r = await cli('secrets', 'rotate', 'redis.password');
      expect(r.code, r.stderr).toBe(0);

      const { child, result } = cli.start('--json', 'apply', '--only', 'deploy');
      let seen = '';
      const killed = await new Promise<boolean>((resolve) => {
        const deadline = setTimeout(() => resolve(false), 600_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          // The infra step has started its compose command: recreating Redis is under way.
          if (/"type":"command"[^\n]*"step":"deploy\.stack\.infra"/.test(seen) && child.exitCode === null && !child.killed) {
            setTimeout(() => {
              clearTimeout(deadline);
              resolve(child.kill('SIGKILL'));
            }, 1500);
          }
        });
        child.on('exit', () => {
          clearTimeout(deadline);
          resolve(false);
        });
      });
      expect(killed, seen).toBe(true);
      expect((await result).signal).toBe('SIGKILL');
      expect(seen).not.toContain('"type":"run-done"');

      const resumed = await cli('apply', '--only', 'deploy');
      expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
      expect(resumed.stderr).toMatch(/Taking over the lock of run \S+: its process \(pid \d+\) on this machine is gone/);
      expect(await psqlAsSuperuser('SELECT note FROM kept')).toBe('written before the kill');
      expect(await redisPing(await vaultValue('redis.password'))).toBe('PONG');
      const third = await cli('apply', '--only', 'deploy');
      expect(third.code).toBe(0);
      expect(third.stdout).toMatch(/Apply complete: 0 changed/);
      expect((await status()).code).toBe(0);
    }, 900_000);
  });
}
