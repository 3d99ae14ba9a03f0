import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { hostServices, type EffectiveService } from '../../src/profile/effective.js';
import { serviceEnv } from '../../src/render/service-env.js';
import { validExample } from '../helpers/profiles.js';

const value = (key: string): Secret => Secret.of(`value-of-${key}`);

describe('n8n environment (vpai §4.10)', () => {
  const p = validExample('minimal', (raw) => {
    raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', { name: 'n8n', subdomain: 'flows' }];
  });
  const n8n = hostServices(p, p.hosts[0]!).find((s) => s.id === 'n8n')!;
  const env = new Map(serviceEnv(p, n8n, value, value).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()]));

  it("gives n8n its public addresses from its site name, behind one proxy, with 2.x's task runner and pruning", () => {
    expect(env.get('WEBHOOK_URL')).toBe(`https://flows.${p.domain.name}/`);
    expect(env.get('N8N_EDITOR_BASE_URL')).toBe(`https://flows.${p.domain.name}/`);
    expect(env.get('N8N_HOST')).toBe(`flows.${p.domain.name}`);
    expect(env.get('N8N_PROTOCOL')).toBe('https');
    expect(env.get('N8N_PROXY_HOPS')).toBe('1');
    expect(env.get('N8N_RUNNERS_MODE')).toBe('internal');
    // n8n 2.7 lists N8N_RUNNERS_ENABLED among its deprecated variables ("safe to remove").
    expect(env.has('N8N_RUNNERS_ENABLED')).toBe(false);
    expect(env.get('EXECUTIONS_DATA_PRUNE')).toBe('true');
    expect(env.get('EXECUTIONS_DATA_MAX_AGE')).toBe('168');
    expect(env.get('N8N_ENCRYPTION_KEY')).toBe('value-of-n8n.encryptionKey');
    expect(env.get('DB_POSTGRESDB_PASSWORD')).toBe('value-of-n8n.dbPassword');
  });
});

describe('NocoDB environment (vpai §4.12)', () => {
  const S3 = { endpoint: 'fsn1.your-objectstorage.com', region: 'fsn1', bucket: 'vpai-backups', sharedBucket: 'vpai-shared' };
  const envOf = (mutate: (raw: Record<string, any>) => void, change?: (s: EffectiveService) => EffectiveService): Map<string, string> => {
    const p = validExample('minimal', (raw) => {
      raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', { name: 'nocodb', subdomain: 'hq' }];
      mutate(raw);
    });
    const nocodb = hostServices(p, p.hosts[0]!).find((s) => s.id === 'nocodb')!;
    return new Map(serviceEnv(p, change ? change(nocodb) : nocodb, value, value).map(([k, v]) => [k, typeof v === 'string' ? v : v.reveal()]));
  };

  it('stores attachments in the shared bucket: region, endpoint with its scheme, the vault keys, path style', () => {
    const env = envOf((raw) => (raw['backups'] = { enabled: false, s3: S3 }));
    expect(env.get('NC_S3_BUCKET_NAME')).toBe('vpai-shared');
    expect(env.get('NC_S3_REGION')).toBe('fsn1');
    // NocoDB's S3 plugin passes the endpoint to the AWS SDK and to `new URL()`: a bare host would not parse.
    expect(env.get('NC_S3_ENDPOINT')).toBe('https://fsn1.your-objectstorage.com');
    expect(env.get('NC_S3_ACCESS_KEY')).toBe('value-of-s3.accessKey');
    expect(env.get('NC_S3_ACCESS_SECRET')).toBe('value-of-s3.secretKey');
    expect(env.get('NC_S3_FORCE_PATH_STYLE')).toBe('true');
  });

  it('keeps an endpoint that names its scheme (a plain-HTTP test server) as it is', () => {
    const env = envOf((raw) => (raw['backups'] = { enabled: true, s3: { ...S3, endpoint: 'http://198.51.100.7:9000' } }));
    expect(env.get('NC_S3_ENDPOINT')).toBe('http://198.51.100.7:9000');
  });

  it('writes no S3 setting without a shared bucket, even with backups on (attachments stay in NC_TOOL_DIR)', () => {
    const { sharedBucket: _none, ...withoutShared } = S3;
    const env = envOf((raw) => (raw['backups'] = { enabled: true, s3: withoutShared }));
    expect([...env.keys()].filter((k) => k.startsWith('NC_S3_'))).toEqual([]);
    expect(env.get('NC_TOOL_DIR')).toBe('/usr/app/data/');
  });

  it('prints its public address from the site name, and none without a site (never https://undefined)', () => {
    expect(envOf(() => undefined).get('NC_PUBLIC_URL')).toBe('https://hq.example.com');
    const env = envOf(() => undefined, ({ subdomain: _s, ...rest }) => rest);
    expect(env.has('NC_PUBLIC_URL')).toBe(false);
    expect([...env.values()].some((v) => v.includes('undefined'))).toBe(false);
  });

  it('points NC_TOOL_DIR at the data folder the catalogue mounts', () => {
    expect(envOf(() => undefined).get('NC_TOOL_DIR')).toBe('/usr/app/data/');
  });
});
