import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeNocodbStorage, NOCODB_STORAGE_JS } from '../../src/smoke/nocodb-storage.js';
import { S3Bed } from './helpers/s3-bed.js';

/**
 * The S3 test bed (moto_server, Debian 13's python3-moto) proven on loopback, and the probe of the
 * smoke check nocodb.storage run against it with this machine's node, from NocoDB's NC_S3_*
 * variables as the deploy writes them. Sandbox e2e tests use the same bed on the bed network's
 * gateway (test/e2e/stacks/nocodb.ts).
 */
const BUCKET = 'e2e-shared';
let bed: S3Bed;

beforeAll(async () => {
  bed = new S3Bed({ address: '127.0.0.1' });
  await bed.start();
  await bed.createBucket(BUCKET);
});

afterAll(() => bed?.stop());

/** The probe as the smoke check runs it in NocoDB's container: `node -e`, settings from the environment only. */
function probe(overrides: Record<string, string | undefined> = {}): { code: number; output: string } {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  const settings = {
    NC_S3_BUCKET_NAME: BUCKET, NC_S3_REGION: 'fsn1', NC_S3_ENDPOINT: bed.endpoint,
    NC_S3_ACCESS_KEY: bed.credentials.accessKey, NC_S3_ACCESS_SECRET: bed.credentials.secretKey, NC_S3_FORCE_PATH_STYLE: 'true',
    ...overrides,
  };
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) env[k] = v;
  const r = spawnSync(process.execPath, ['-e', NOCODB_STORAGE_JS], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe('S3 test bed and the nocodb.storage probe', () => {
  it('creates and lists a bucket with the IAM user keys (authentication on)', async () => {
    expect(await bed.listObjects(BUCKET)).toEqual([]);
  });

  it('the probe writes, reads back and deletes an object under nc/uploads/ with the right keys (PASS)', async () => {
    const r = probe();
    expect(r.code, r.output).toBe(0);
    const verdict = judgeNocodbStorage(BUCKET, r.code, r.output);
    expect(verdict.status).toBe('PASS');
    expect(verdict.reason).toMatch(new RegExp(`^wrote and read back ${bed.endpoint.replace(/[.]/g, '\\.')}/${BUCKET}/nc/uploads/homelab-wizard-smoke/\\S+\\.txt \\(\\d+ bytes\\)$`));
    // Deleted again: the check leaves nothing in the user's bucket.
    expect(await bed.listObjects(BUCKET, 'nc/uploads/')).toEqual([]);
  });

  it('a wrong secret: FAIL with S3 own reason (SignatureDoesNotMatch), never the secret', () => {
    const r = probe({ NC_S3_ACCESS_SECRET: 'not-the-secret-of-this-key' });
    const verdict = judgeNocodbStorage(BUCKET, r.code, r.output);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reason).toMatch(/^PUT http:\/\/127\.0\.0\.1:\d+\/e2e-shared\/nc\/uploads\/\S+ answered HTTP 403 SignatureDoesNotMatch/);
    expect(r.output).not.toContain('not-the-secret-of-this-key');
  });

  it('an unknown key: FAIL with InvalidAccessKeyId', () => {
    const verdict = judgeNocodbStorage(BUCKET, ...Object.values(probe({ NC_S3_ACCESS_KEY: 'AKIAUNKNOWNKEY000000' })) as [number, string]);
    expect(verdict).toMatchObject({ status: 'FAIL' });
    expect(verdict.reason).toMatch(/answered HTTP 403 InvalidAccessKeyId/);
  });

  it('a bucket that does not exist: FAIL with NoSuchBucket', async () => {
    const r = probe({ NC_S3_BUCKET_NAME: 'no-such-bucket' });
    expect(judgeNocodbStorage('no-such-bucket', r.code, r.output).reason).toMatch(/no-such-bucket\/nc\/uploads\/\S+ answered HTTP 404 NoSuchBucket/);
  });

  it('without path style the bucket goes into the host name, which an address cannot have: FAIL naming it', () => {
    const r = probe({ NC_S3_FORCE_PATH_STYLE: undefined });
    const verdict = judgeNocodbStorage(BUCKET, r.code, r.output);
    expect(verdict.status).toBe('FAIL');
    expect(verdict.reason).toMatch(/^PUT http:\/\/e2e-shared\.127\.0\.0\.1:\d+\/nc\/uploads\/\S+ answered cannot reach/);
  });

  it('a container without NC_S3_BUCKET_NAME: FAIL saying NocoDB keeps attachments on its disk', () => {
    const r = probe({ NC_S3_BUCKET_NAME: undefined });
    expect(judgeNocodbStorage(BUCKET, r.code, r.output)).toEqual({
      status: 'FAIL',
      reason: `NC_S3_BUCKET_NAME is not set in the container: NocoDB keeps attachments on its disk; the profile puts them in ${BUCKET} (redeploy nocodb)`,
    });
  });
});
