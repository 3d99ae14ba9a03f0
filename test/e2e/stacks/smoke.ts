import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

interface JsonCheck { id: string; service: string; where: string; status: string; reason: string; describe: string }
interface JsonSmoke { ok: boolean; strict: boolean; counts: Record<string, number>; hosts: { host: string; target: string | null; checks: JsonCheck[] }[] }

function byId(out: JsonSmoke): Record<string, JsonCheck> {
  return Object.fromEntries((out.hosts[0]?.checks ?? []).map((c) => [c.id, c]));
}

/**
 * The smoke checks on a real sandbox server: caddy, postgresql, redis and n8n deployed with
 * `apply --only deploy`, n8n's site VPN-only. The host is reached at its address on the bed's
 * network, as `sandbox up --profile` does: SSH on 22 and Caddy's 443 at the same address, so the
 * site checks go where a real operator's would (the host's address, the site's name as SNI and
 * Host, Caddy's internal root pinned), from outside the VPN range.
 */
export function describeSmoke(host: StackServer): void {
  describe('smoke on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'smoke');
    const NAME = 'e2e-smoke';
    const cli = project.cli({ profile: NAME });
    let vaultValues = new Map<string, string>();

    function expectNoSecret(text: string): void {
      for (const value of vaultValues.values()) expect(text.includes(value), 'a secret value in the output').toBe(false);
    }

    beforeAll(async () => {
      await host.clear();
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, reach: 'network', services: ['docker', 'caddy', 'postgresql', 'redis', { name: 'n8n', vpnOnly: true }] }], {
        // n8n's site is VPN-only; the operator (this machine) is outside the VPN range.
        vpn: { enabled: true, headscaleUrl: 'https://vpn.example.com' },
        ...STACK,
      });
      project.writeProfile(doc);
      vaultValues = await project.writeVault(doc);
      const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
    }, 900_000);

    afterAll(() => project.remove());

    it('passes every check of the enabled services, and --json has one entry per check with a reason', async () => {
      const r = await cli('smoke', '--json');
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expectNoSecret(`${r.stdout}${r.stderr}`);
      const out = JSON.parse(r.stdout) as JsonSmoke;
      expect(out.ok).toBe(true);
      expect(out.hosts.map((h) => h.host)).toEqual(['vps']);
      expect(out.hosts[0]?.target).toBe(`root@${host.server.address}:22`);
      const checks = byId(out);
      expect(Object.keys(checks).sort()).toEqual(
        ['caddy.container', 'caddy.health', 'docker.active', 'n8n.container', 'n8n.db-login', 'n8n.healthz', 'n8n.owner-login', 'postgresql.container', 'postgresql.ready', 'redis.container', 'redis.ping'].sort(),
      );
      for (const c of Object.values(checks)) {
        expect(c.status, `${c.id}: ${c.reason}`).toBe('PASS');
        expect(c.reason).not.toBe('');
      }
      expect(checks['n8n.db-login']?.reason).toBe('logged in as n8n');
      // The owner the deploy set up through n8n's API logs in with the vault's password.
      expect(checks['n8n.owner-login']).toMatchObject({ where: 'host', reason: 'ops@example.com logged in' });
      // The reason names the served certificate's end and issuer (src/smoke/site-result.ts).
      expect(checks['caddy.health']).toMatchObject({ where: 'operator', reason: expect.stringMatching(/^status 200, certificate valid until \d{4}-\d{2}-\d{2} \(Caddy Local Authority/) as unknown });
      // The VPN-only site, from this machine (outside the VPN range): Caddy's ACL refuses it.
      expect(checks['n8n.healthz']).toMatchObject({ where: 'operator', reason: expect.stringMatching(/^refused outside the VPN range \(403\), certificate valid/) as unknown });
      expect(out.counts).toEqual({ PASS: 11, FAIL: 0, WARN: 0, SKIP: 0 });
    }, 300_000);

    it('prints a table per host, one line per check, and runs as the smoke phase of apply', async () => {
      const r = await cli('smoke');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^vps \\(root@${host.server.address.replaceAll('.', '\\.')}:22\\)$`, 'm'));
      expect(r.stdout).toMatch(/^ {2}PASS {2}n8n\.db-login +logged in as n8n$/m);
      expect(r.stdout).toMatch(/Smoke passed: 11 passed, 0 failed, 0 warnings, 0 skipped on 1 host\./);
      const applied = await cli('apply', '--only', 'smoke');
      expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
      expect(applied.stdout).toMatch(/Smoke passed: 11 passed/);
    }, 300_000);

    it('fails the database login when the vault holds another password than PostgreSQL', async () => {
      const set = await cli.withInput('not-the-deployed-password', 'secrets', 'set', 'n8n.dbPassword');
      expect(set.code, set.stderr).toBe(0);
      const r = await cli('smoke', '--json');
      expect(r.code).toBe(1);
      const checks = byId(JSON.parse(r.stdout) as JsonSmoke);
      expect(checks['n8n.db-login']?.status).toBe('FAIL');
      expect(checks['n8n.db-login']?.reason).toMatch(/password authentication failed for user "n8n"/);
      expect(r.stdout).not.toContain('not-the-deployed-password');
      const back = await cli.withInput(vaultValues.get('n8n.dbPassword') ?? '', 'secrets', 'set', 'n8n.dbPassword');
      expect(back.code, back.stderr).toBe(0);
    }, 300_000);

    it("fails the n8n owner's login with n8n's reason when the vault holds another owner password", async () => {
      const set = await cli.withInput('Not-the-owner-1', 'secrets', 'set', 'n8n.ownerPassword');
      expect(set.code, set.stderr).toBe(0);
      const r = await cli('smoke', '--json');
      expect(r.code).toBe(1);
      const checks = byId(JSON.parse(r.stdout) as JsonSmoke);
      expect(checks['n8n.owner-login']).toMatchObject({ status: 'FAIL', reason: 'n8n refused the login of ops@example.com: 401 Wrong username or password. Do you have caps lock on?' });
      expect(r.stdout).not.toContain('Not-the-owner-1');
      const back = await cli.withInput(vaultValues.get('n8n.ownerPassword') ?? '', 'secrets', 'set', 'n8n.ownerPassword');
      expect(back.code, back.stderr).toBe(0);
    }, 300_000);

    it('reports a stopped service as FAIL, exits 1, and apply lists the failures', async () => {
      await remote(host.ssh, `docker stop $(docker ps -q --filter label=com.docker.compose.service=redis) >/dev/null`);
      const r = await cli('smoke', '--json');
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as JsonSmoke;
      const checks = byId(out);
      expect(out.ok).toBe(false);
      expect(checks['redis.container']).toMatchObject({ status: 'FAIL' });
      expect(checks['redis.container']?.reason).toMatch(/^exited: Exited/);
      expect(checks['redis.ping']).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/container redis is not running/) as unknown });
      expect(checks['n8n.db-login']?.status).toBe('PASS');
      const applied = await cli('apply', '--only', 'smoke');
      expect(applied.code).toBe(1);
      expect(applied.stderr).toMatch(/Smoke checks that failed:\n {2}✖ vps: redis\.container \(FAIL\): exited/);
      expect(applied.stdout).toMatch(/Apply failed: .*The smoke checks failed\./);
    }, 300_000);
  });
}
