import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import { validateProfile } from '../../src/profile/validate.js';
import { renderRelease } from '../../src/render/release.js';
import { acmeDnsSteps, envValue, servedNames } from '../../src/steps/deploy/acme-dns.js';
import { deploySteps } from '../../src/steps/deploy/stack.js';
import { smokePlan } from '../../src/smoke/checks.js';
import { evaluateHost, parseHostFacts } from '../../src/smoke/host-script.js';
import { exampleProfile, validExample } from '../helpers/profiles.js';
import { allSecrets } from '../helpers/release-fixture.js';

// A throwaway root made for the run: the roots field must hold a parseable certificate.
const ROOT = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Test ACME root', '-days', '30'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

describe('DNS-01 through OVH (lego on the host)', () => {
  const vpai = validExample('vpai');
  const ai = vpai.hosts.find((h) => servedNames(vpai, h).length > 1)!;

  it('puts lego, its settings, the OVH credentials (0600, a secret) and the renewal timer on each Caddy host, before Caddy starts', () => {
    const ids = deploySteps(vpai, ai, allSecrets).map((s) => s.id);
    expect(ids.indexOf('deploy.tls.certificate')).toBeGreaterThan(ids.indexOf('deploy.data.folders'));
    expect(ids.indexOf('deploy.tls.certificate')).toBeLessThan(ids.indexOf('deploy.stack.infra'));
    const cert = acmeDnsSteps(vpai, ai, allSecrets).find((s) => s.id === 'deploy.tls.certificate')!;
    const files = new Map(cert.files!.map((f) => [f.path.split('/').pop(), f]));
    const credentials = files.get('ovh.env')!;
    expect(credentials.mode).toBe('0600');
    expect(credentials.content).toBeInstanceOf(Secret);
    expect((credentials.content as Secret).reveal()).toContain(`OVH_APPLICATION_SECRET=${envValue('x', allSecrets('ovh.applicationSecret')!.reveal())}`);
    const settings = files.get('acme.conf')!.content as string;
    expect(settings).not.toContain(allSecrets('ovh.applicationSecret')!.reveal());
    expect(settings).toContain(`ACME_DOMAINS="${servedNames(vpai, ai).join(' ')}"`);
    expect(settings).toContain('ACME_SERVER="https://acme-v02.api.letsencrypt.org/directory"');
    const unit = files.get(`homelab-wizard-acme-${vpai.project.name}.service`)!.content as string;
    expect(unit).toMatch(/EnvironmentFile=.*\/ovh\.env/);
    expect(() => acmeDnsSteps(vpai, ai, (k) => (k === 'ovh.consumerKey' ? Secret.of("it's\nbroken") : allSecrets(k)))).toThrow(/ovh.consumerKey cannot be written into lego's environment file/);
    // Credentials never in any argv.
    for (const c of [cert.check!, ...cert.apply]) for (const a of c.argv) expect(a).not.toContain(allSecrets('ovh.applicationSecret')!.reveal());
  });

  it('removes the timer and the OVH keys from a host whose profile left DNS-01', () => {
    const internal = validExample('vpai', (raw) => (raw.domain.tls = 'internal'));
    const steps = acmeDnsSteps(internal, ai, allSecrets);
    expect(steps.map((s) => [s.id, s.effect])).toEqual([['deploy.tls.dns-01-removed', 'delete']]);
    expect(steps[0]!.check!.argv.slice(-2)).toEqual(['homelab-wizard-acme-vpai', '/opt/homelab/vpai/tls']);
  });

  it('points lego and Caddy at another ACME server with its roots, and its resolvers', () => {
    const profile = validExample('vpai', (raw) => {
      raw.domain.acmeServer = { directory: 'https://203.0.113.5:14000/dir', roots: ROOT };
      raw.domain.acmeResolvers = ['203.0.113.53:53'];
    });
    const cert = acmeDnsSteps(profile, ai, allSecrets).find((s) => s.id === 'deploy.tls.certificate')!;
    const settings = cert.files!.find((f) => f.path.endsWith('acme.conf'))!.content as string;
    expect(settings).toContain('ACME_SERVER="https://203.0.113.5:14000/dir"');
    expect(settings).toContain('ACME_RESOLVERS="203.0.113.53:53"');
    expect(settings).toMatch(/LEGO_CA_CERTIFICATES=.*acme-roots\.pem/);
    expect(smokePlan(profile, ai).expectedCa).toBe(ROOT);
  });

  it("renders a Caddyfile that serves lego's certificate and never asks a CA itself", () => {
    const r = renderRelease({ profile: vpai, host: ai, projectDir: '/opt/homelab/vpai', secret: allSecrets });
    const caddyfile = r.files.find((f) => f.path === 'config/caddy/Caddyfile')!.content as string;
    expect(caddyfile).toContain('auto_https disable_certs');
    expect(caddyfile).not.toContain('acme_dns');
    expect(caddyfile.match(/import \/certs\/\*\.caddy/g)?.length).toBe(servedNames(vpai, ai).length);
    const env = r.files.find((f) => f.path === 'env/caddy.env')!.content;
    expect(typeof env === 'string' ? env : env.reveal()).not.toContain('OVH_');
  });

  it('gives acme-http with another ACME server its directory and roots (a release file Caddy reads)', () => {
    const raw = exampleProfile('minimal');
    raw.domain.acmeServer = { directory: 'https://203.0.113.5:14000/dir', roots: ROOT };
    const result = validateProfile(raw);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const r = renderRelease({ profile: result.profile, host: result.profile.hosts[0]!, projectDir: '/opt/homelab/minimal', secret: allSecrets });
    const caddyfile = r.files.find((f) => f.path === 'config/caddy/Caddyfile')!.content as string;
    expect(caddyfile).toMatch(/cert_issuer acme \{\n\t\tdir https:\/\/203\.0\.113\.5:14000\/dir\n\t\ttrusted_roots \/etc\/caddy\/acme-roots\.pem\n\t\tdisable_tlsalpn_challenge\n\t\}/);
    expect(r.files.find((f) => f.path === 'config/caddy/acme-roots.pem')?.content).toBe(ROOT);
  });

  it('refuses what cannot work: acme-http for VPN-only sites, a broken roots bundle, a missing ACME contact', () => {
    const issues = (mutate: (raw: Record<string, any>) => void) => {
      const raw = exampleProfile('vpai');
      mutate(raw);
      const result = validateProfile(raw);
      return result.ok ? [] : result.issues;
    };
    expect(issues((raw) => (raw.domain.tls = 'acme-http'))).toContainEqual({ path: 'domain.tls', message: expect.stringMatching(/acme-http cannot get a certificate for a VPN-only site .*use acme-dns-ovh .* or internal/) as unknown });
    expect(issues((raw) => (raw.domain.acmeServer = { directory: 'https://203.0.113.5/dir', roots: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----' }))).toContainEqual({ path: 'domain.acmeServer.roots', message: 'certificate 1 is not a valid PEM certificate' });
    expect(issues((raw) => {
      delete raw.domain.acmeEmail;
      delete raw.notifications.email;
    })).toContainEqual({ path: 'domain.acmeEmail', message: expect.stringMatching(/is required for acme-dns-ovh/) as unknown });
  });

  it("smoke reports the last renewal: PASS when it passed, WARN naming lego's error while the old certificate is served", () => {
    const plan = smokePlan(vpai, ai);
    const index = plan.checks.findIndex((c) => c.kind === 'tls-renewal');
    expect(index).toBeGreaterThanOrEqual(0);
    const judge = (state: string, code = 0) => {
      const facts = parseHostFacts(`cur\tok\nr\t${index}\t${code}\t${Buffer.from(state).toString('base64')}\n`);
      return evaluateHost(plan, facts).find((r) => r.id === 'caddy.tls-renewal')!;
    };
    expect(judge('result=ok\nat=2026-12-03T10:00:00Z\nserved_until=Mar  3 10:00:00 2027 GMT\n')).toMatchObject({ status: 'PASS', reason: 'renewed or checked at 2026-12-03T10:00:00Z; certificate valid until Mar  3 10:00:00 2027 GMT' });
    expect(judge('result=failed\nat=2026-12-04T10:00:00Z\nmessage=lego exited 1: Invalid signature\nserved_until=Mar  3 10:00:00 2027 GMT\n')).toMatchObject({
      status: 'WARN',
      reason: 'last renewal failed at 2026-12-04T10:00:00Z: lego exited 1: Invalid signature; still serving the certificate valid until Mar  3 10:00:00 2027 GMT',
    });
    expect(judge('', 1)).toMatchObject({ status: 'FAIL' });
  });
});
