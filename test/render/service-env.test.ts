import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { hostServices } from '../../src/profile/effective.js';
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
