import { describe, expect, it } from 'vitest';
import type { SiteCheck } from '../../src/smoke/checks.js';
import { renderSmokeFailures, renderSmokeSummary, renderSmokeTable, smokeExitCode, smokeJson, type CheckResult, type HostSmoke } from '../../src/smoke/results.js';
import { certWarning, evaluateSite } from '../../src/smoke/site-result.js';

const r = (id: string, status: CheckResult['status'], reason = 'because'): CheckResult => ({ id, service: id.split('.')[0]!, where: 'host', describe: id, status, reason });
const host = (...results: CheckResult[]): HostSmoke[] => [{ host: 'vps', target: 'root@203.0.113.10:22', results }];

describe('smoke results', () => {
  it('exit 0 when everything passes or is skipped, warnings too unless --strict, 1 on any failure', () => {
    expect(smokeExitCode(host(r('a.x', 'PASS'), r('b.x', 'SKIP')), false)).toBe(0);
    expect(smokeExitCode(host(r('a.x', 'PASS'), r('b.x', 'WARN')), false)).toBe(0);
    expect(smokeExitCode(host(r('a.x', 'PASS'), r('b.x', 'WARN')), true)).toBe(1);
    expect(smokeExitCode(host(r('a.x', 'FAIL')), false)).toBe(1);
    expect(smokeExitCode([], true)).toBe(0);
  });

  it('renders a table per host, one line per check, and a summary', () => {
    const hosts: HostSmoke[] = [...host(r('redis.container', 'FAIL', 'exited: Exited (0)'), r('n8n.db-login', 'PASS', 'logged in as n8n')), { host: 'pi', results: [] }];
    expect(renderSmokeTable(hosts)).toBe(
      ['vps (root@203.0.113.10:22)', '  FAIL  redis.container  exited: Exited (0)', '  PASS  n8n.db-login     logged in as n8n', '', 'pi', '  (no checks: no enabled service has any)', ''].join('\n'),
    );
    expect(renderSmokeSummary(hosts, false)).toBe('Smoke FAILED: 1 passed, 1 failed, 0 warnings, 0 skipped on 2 hosts.');
    expect(renderSmokeFailures(hosts, false)).toBe('Smoke checks that failed:\n  ✖ vps: redis.container (FAIL): exited: Exited (0)\n');
    expect(renderSmokeFailures(host(r('a.x', 'WARN', 'soon')), true)).toBe('Smoke checks that failed:\n  ✖ vps: a.x (WARN): soon\n');
    expect(renderSmokeSummary(host(r('a.x', 'WARN')), true)).toBe('Smoke FAILED: 0 passed, 0 failed, 1 warning (failures under --strict), 0 skipped on 1 host.');
  });

  it('gives --json a fixed shape', () => {
    expect(smokeJson(host(r('a.x', 'PASS', 'ok'), r('b.y', 'WARN', 'soon')), true)).toEqual({
      ok: false,
      strict: true,
      counts: { PASS: 1, FAIL: 0, WARN: 1, SKIP: 0 },
      hosts: [
        {
          host: 'vps',
          target: 'root@203.0.113.10:22',
          checks: [
            { id: 'a.x', service: 'a', where: 'host', status: 'PASS', reason: 'ok', describe: 'a.x' },
            { id: 'b.y', service: 'b', where: 'host', status: 'WARN', reason: 'soon', describe: 'b.y' },
          ],
        },
      ],
    });
  });
});

describe('site results', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const site = (over: Partial<SiteCheck> = {}): SiteCheck => ({ id: 'n8n.healthz', service: 'n8n', describe: 'site', kind: 'site', name: 'n8n.example.com', path: '/healthz', expectStatus: [200], expectRefused: false, ...over });
  const longCert = { validFrom: '2026-05-01T00:00:00Z', validTo: '2026-07-30T00:00:00Z' };

  it('passes the expected status, fails another', () => {
    expect(evaluateSite(site(), { kind: 'response', status: 200, cert: longCert }, now)).toMatchObject({ status: 'PASS', reason: 'status 200, certificate valid until 2026-07-30', where: 'operator' });
    expect(evaluateSite(site(), { kind: 'response', status: 200, cert: { ...longCert, issuer: 'Pebble Intermediate CA 1a2b3c' } }, now).reason).toBe('status 200, certificate valid until 2026-07-30 (Pebble Intermediate CA 1a2b3c)');
    expect(evaluateSite(site(), { kind: 'response', status: 502, cert: longCert }, now)).toMatchObject({ status: 'FAIL', reason: 'status 502, expected 200' });
  });

  it("passes a VPN-only site only when Caddy's ACL refuses it (403); 200 from outside is a failure", () => {
    const vpn = site({ expectRefused: true });
    expect(evaluateSite(vpn, { kind: 'response', status: 403, cert: longCert }, now)).toMatchObject({ status: 'PASS' });
    expect(evaluateSite(vpn, { kind: 'response', status: 200, cert: longCert }, now)).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/answered 200 from outside the VPN range/) as unknown });
    expect(evaluateSite(vpn, { kind: 'response', status: 502, cert: longCert }, now)).toMatchObject({ status: 'FAIL' });
  });

  it('skips what this machine cannot reach, fails what it reached and found wrong', () => {
    expect(evaluateSite(site(), { kind: 'unreachable', reason: 'EHOSTUNREACH connecting to 203.0.113.10:443' }, now)).toMatchObject({ status: 'SKIP', reason: 'cannot reach the host from here: EHOSTUNREACH connecting to 203.0.113.10:443' });
    expect(evaluateSite(site(), { kind: 'error', reason: 'TLS or HTTP failed for n8n.example.com: UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, now)).toMatchObject({ status: 'FAIL' });
  });

  it('warns about a certificate in the last third of its life, whatever its length', () => {
    expect(certWarning({ validFrom: '2026-03-05T00:00:00Z', validTo: '2026-06-10T00:00:00Z' }, now)).toMatch(/^certificate expires in 8 days/);
    expect(certWarning(longCert, now)).toBeUndefined();
    // Let's Encrypt's 90 days: 31 days left is fine, 29 days left is the last third.
    expect(certWarning({ validFrom: '2026-04-03T12:00:00Z', validTo: '2026-07-02T12:00:00Z' }, now)).toBeUndefined();
    expect(certWarning({ validFrom: '2026-04-01T12:00:00Z', validTo: '2026-06-30T12:00:00Z' }, now)).toMatch(/^certificate expires in 29 days .*last third/);
    // Unknown start: 30 days before the end, when Let's Encrypt renews.
    expect(certWarning({ validFrom: 'garbage', validTo: '2026-06-25T00:00:00Z' }, now)).toMatch(/^certificate expires in 23 days/);
    // Caddy's internal CA: 12-hour certificates, renewed with a third of their life left.
    expect(certWarning({ validFrom: '2026-06-01T06:00:00Z', validTo: '2026-06-01T18:00:00Z' }, now)).toBeUndefined();
    expect(certWarning({ validFrom: '2026-06-01T01:00:00Z', validTo: '2026-06-01T13:00:00Z' }, now)).toMatch(/^certificate expires in 1 h/);
    expect(evaluateSite(site(), { kind: 'response', status: 200, cert: { validFrom: '2026-03-05T00:00:00Z', validTo: '2026-06-10T00:00:00Z' } }, now)).toMatchObject({ status: 'WARN' });
  });
});
