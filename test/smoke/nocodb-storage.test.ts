import { describe, expect, it } from 'vitest';
import { smokePlan } from '../../src/smoke/checks.js';
import { evaluateHost, hostScript, type HostFacts } from '../../src/smoke/host-script.js';
import { judgeNocodbStorage, NOCODB_STORAGE_JS } from '../../src/smoke/nocodb-storage.js';
import { validExample } from '../helpers/profiles.js';

const S3 = { endpoint: 'fsn1.your-objectstorage.com', region: 'fsn1', bucket: 'vpai-backups', sharedBucket: 'vpai-shared' };
const profileWith = (s3: Record<string, string> | undefined) =>
  validExample('minimal', (raw) => {
    raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'nocodb'];
    raw['backups'] = { enabled: false, ...(s3 ? { s3 } : {}) };
  });

describe('smoke nocodb.storage (NocoDB attachments in the shared bucket)', () => {
  it('is planned where NocoDB runs with a shared bucket, in its container, and not without one', () => {
    const p = profileWith(S3);
    const check = smokePlan(p, p.hosts[0]!).checks.find((c) => c.id === 'nocodb.storage');
    expect(check).toMatchObject({ kind: 'nocodb-storage', service: 'nocodb', bucket: 'vpai-shared', target: { project: 'minimal', file: 'docker-compose.yml', service: 'nocodb' } });
    const { sharedBucket: _s, ...noShared } = S3;
    const without = profileWith(noShared);
    expect(smokePlan(without, without.hosts[0]!).checks.map((c) => c.id)).not.toContain('nocodb.storage');
  });

  it("runs the probe with the container's node, no secret on the command line or stdin", () => {
    const p = profileWith(S3);
    const script = hostScript(smokePlan(p, p.hosts[0]!), '/opt/homelab/minimal/current');
    expect(script.argv[2]).toMatch(/\bdc minimal docker-compose.yml exec -T nocodb node -e '/);
    expect(script.passwordKeys).toEqual(['nocodb.dbPassword']);
    expect(NOCODB_STORAGE_JS).toContain('env.NC_S3_ACCESS_SECRET');
  });

  it("judges the probe's answer: PASS with what it wrote, FAIL with S3's reason, a missing setting or no node", () => {
    expect(judgeNocodbStorage('b', 0, 'ok wrote and read back http://x/b/nc/uploads/k.txt (40 bytes)\n')).toEqual({ status: 'PASS', reason: 'wrote and read back http://x/b/nc/uploads/k.txt (40 bytes)' });
    expect(judgeNocodbStorage('b', 1, 'fail PUT http://x/b/k answered HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match\n')).toEqual({
      status: 'FAIL', reason: 'PUT http://x/b/k answered HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match',
    });
    expect(judgeNocodbStorage('b', 2, 'no-s3 NC_S3_BUCKET_NAME is not set in the container: NocoDB keeps attachments on its disk\n').reason).toBe(
      'NC_S3_BUCKET_NAME is not set in the container: NocoDB keeps attachments on its disk; the profile puts them in b (redeploy nocodb)',
    );
    expect(judgeNocodbStorage('b', 127, 'OCI runtime exec failed: exec: "node": executable file not found in $PATH')).toEqual({ status: 'FAIL', reason: "NocoDB's container has no node to run the storage probe with" });
  });

  it('is judged from the facts of the host script, like every host check', () => {
    const p = profileWith(S3);
    const plan = smokePlan(p, p.hosts[0]!);
    const i = plan.checks.findIndex((c) => c.id === 'nocodb.storage');
    const facts: HostFacts = {
      deployed: true,
      containers: new Map([['minimal/nocodb', { state: 'running', status: 'Up 1 minute (healthy)' }]]),
      outputs: new Map([[i, { code: 1, output: 'fail PUT http://x/vpai-shared/k answered HTTP 404 NoSuchBucket: The specified bucket does not exist\n' }]]),
    };
    expect(evaluateHost(plan, facts).find((r) => r.id === 'nocodb.storage')).toMatchObject({ status: 'FAIL', reason: 'PUT http://x/vpai-shared/k answered HTTP 404 NoSuchBucket: The specified bucket does not exist' });
  });
});
