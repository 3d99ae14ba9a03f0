import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Bed } from '../helpers/s3-bed.js';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { E2E_SUBNET, remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

interface JsonCheck { id: string; status: string; reason: string }
interface JsonSmoke { ok: boolean; hosts: { checks: JsonCheck[] }[] }

/**
 * NocoDB with its attachments in S3 on a sandbox server, through the strict NocoDB STAND-IN (the
 * real program cannot be installed here) and a real S3 server (moto, test/e2e/helpers/s3-bed.ts)
 * on the bed network's gateway: the shared bucket of backups.s3 with backups off, the S3 keys from
 * the vault. Smoke proves the health endpoint through Caddy, NocoDB's database login, and the
 * storage setting (an object written and read back in the bucket from NocoDB's container); a
 * wrong secret in the vault, once deployed, fails nocodb.storage with S3's own reason.
 */
export function describeNocodb(host: StackServer): void {
  describe('nocodb on a sandbox server', () => {
    const project = new SandboxProject(host.bed, 'nocodb');
    const NAME = 'e2e-nocodb';
    const BUCKET = 'e2e-shared';
    const cli = project.cli({ profile: NAME });
    const s3 = new S3Bed({ address: E2E_SUBNET.replace(/\.0\/\d+$/, '.1') });
    let vaultValues = new Map<string, string>();
    const smoke = async (): Promise<{ code: number; checks: Record<string, JsonCheck>; output: string }> => {
      const r = await cli('smoke', '--json');
      const out = JSON.parse(r.stdout) as JsonSmoke;
      return { code: r.code ?? -1, checks: Object.fromEntries((out.hosts[0]?.checks ?? []).map((c) => [c.id, c])), output: `${r.stdout}${r.stderr}` };
    };

    beforeAll(async () => {
      await host.clear();
      await s3.start();
      await s3.createBucket(BUCKET);
      const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, reach: 'network', services: ['docker', 'caddy', 'postgresql', { name: 'nocodb', vpnOnly: false }] }], {
        ...STACK,
        backups: { enabled: false, s3: { endpoint: s3.endpoint, region: 'fsn1', bucket: 'e2e-backups', sharedBucket: BUCKET } },
      });
      project.writeProfile(doc);
      vaultValues = await project.writeVault(doc, { set: { 's3.accessKey': s3.credentials.accessKey, 's3.secretKey': s3.credentials.secretKey } });
      const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
      if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
    }, 900_000);

    afterAll(async () => {
      project.remove();
      await s3.stop();
    });

    it("smoke passes: health through Caddy, the database login, and an object written and read back in the shared bucket from NocoDB's container", async () => {
      // Only the lines without a secret (a failed comparison prints what it got).
      const env = await remote(host.ssh, `grep -E '^NC_S3_(BUCKET_NAME|REGION|ENDPOINT|FORCE_PATH_STYLE)=' /opt/homelab/${NAME}/current/env/nocodb.env`);
      expect(env.split('\n')).toEqual([`NC_S3_BUCKET_NAME="${BUCKET}"`, 'NC_S3_REGION="fsn1"', `NC_S3_ENDPOINT="${s3.endpoint}"`, 'NC_S3_FORCE_PATH_STYLE="true"']);
      const r = await smoke();
      expect(r.code, r.output).toBe(0);
      expect(r.checks['nocodb.container']?.status).toBe('PASS');
      expect(r.checks['nocodb.health']?.status, r.checks['nocodb.health']?.reason).toBe('PASS');
      expect(r.checks['nocodb.db-login']).toMatchObject({ status: 'PASS', reason: 'logged in as nocodb' });
      const storage = r.checks['nocodb.storage'];
      expect(storage?.status, storage?.reason).toBe('PASS');
      expect(storage?.reason).toMatch(new RegExp(`^wrote and read back ${s3.endpoint.replaceAll('.', '\\.')}/${BUCKET}/nc/uploads/homelab-wizard-smoke/\\S+\\.txt \\(\\d+ bytes\\)$`));
      // The object went through this S3 server (and was deleted again: nothing left behind).
      expect(s3.outputTail(200)).toMatch(new RegExp(`"PUT /${BUCKET}/nc/uploads/homelab-wizard-smoke/\\S+ HTTP/1\\.1" 200`));
      expect(await s3.listObjects(BUCKET)).toEqual([]);
      for (const value of vaultValues.values()) expect(r.output.includes(value), 'a secret in the output').toBe(false);
    }, 300_000);

    it('a wrong S3 secret in the vault, deployed: nocodb.storage FAILs with S3 own reason and the secret nowhere in the output', async () => {
      const set = await cli.withInput('not-the-secret-of-this-key', 'secrets', 'set', 's3.secretKey');
      expect(set.code, set.stderr).toBe(0);
      const applied = await cli('apply', '--only', 'deploy');
      expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
      const r = await smoke();
      expect(r.code).toBe(1);
      expect(r.checks['nocodb.storage']?.status).toBe('FAIL');
      expect(r.checks['nocodb.storage']?.reason).toMatch(new RegExp(`^PUT ${s3.endpoint.replaceAll('.', '\\.')}/${BUCKET}/nc/uploads/\\S+ answered HTTP 403 SignatureDoesNotMatch`));
      expect(r.checks['nocodb.health']?.status, r.checks['nocodb.health']?.reason).toBe('PASS');
      expect(`${r.output}${applied.stdout}${applied.stderr}`).not.toContain('not-the-secret-of-this-key');
    }, 600_000);
  });
}
