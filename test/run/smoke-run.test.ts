import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/engine/runner.js';
import { runSmoke, type SmokeRunner } from '../../src/run/smoke-run.js';
import type { SiteRequest } from '../../src/run/site-probe.js';
import { isSecret, Secret } from '../../src/lib/secret.js';
import type { Command } from '../../src/plan/command.js';
import type { SiteOutcome } from '../../src/smoke/site-result.js';
import { validExample } from '../helpers/profiles.js';

const PASSWORD = 'n8n-db-pass-"quoted"-$x';
const OWNER_PASSWORD = 'Owner-pass-"2"-$y';
const profile = validExample('minimal', (raw) => {
  raw['domain'].tls = 'internal';
  raw['hosts'][0].services = ['docker', 'caddy', 'postgresql', 'redis', 'n8n'];
});
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const CA = '-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n';

/** A stand-in host: answers the smoke script with canned facts and records what it was sent. */
function fakeHost(options: { ca?: boolean } = {}): { runner: SmokeRunner; sent: Command[] } {
  const sent: Command[] = [];
  const runner: SmokeRunner = {
    target: 'root@203.0.113.10:22',
    exec: async (command): Promise<ExecResult> => {
      sent.push(command);
      const script = command.argv[2] ?? '';
      const lines = ['cur\tok'];
      for (const [p, svc] of [['minimal-infra', 'caddy'], ['minimal-infra', 'postgresql'], ['minimal-infra', 'redis'], ['minimal', 'n8n']]) lines.push(`ps\t${p}\t${svc}\trunning\t${b64('Up 1 minute (healthy)')}`);
      // The script's check lines carry their index: answer each as a healthy host would.
      for (const line of script.split('\n')) {
        const index = /fact (\d+) \$\?/.exec(line)?.[1];
        if (index !== undefined) lines.push(`r\t${index}\t0\t${b64(line.includes('psql') ? 'n8n\n' : line.includes(' login ') ? 'ok\n' : 'accepting connections PONG')}`);
      }
      if (options.ca !== false) lines.push(`ca\t${b64(CA)}`);
      return { code: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
    },
  };
  return { runner, sent };
}

describe('runSmoke', () => {
  it('asks the host once, sends the passwords only on stdin, and pins the internal root for the sites', async () => {
    const host = fakeHost();
    const requests: SiteRequest[] = [];
    const results = await runSmoke({
      profile,
      hosts: profile.hosts,
      runner: async () => host.runner,
      secrets: { get: async (key) => (key === 'n8n.dbPassword' ? Secret.of(PASSWORD) : key === 'n8n.ownerPassword' ? Secret.of(OWNER_PASSWORD) : undefined) },
      fetchSite: async (req): Promise<SiteOutcome> => {
        requests.push(req);
        // n8n's site is VPN-only by default, and this machine is outside the VPN: Caddy refuses.
        return { kind: 'response', status: req.name === 'n8n.example.com' ? 403 : 200 };
      },
    });
    expect(host.sent).toHaveLength(1);
    const [command] = host.sent;
    expect(command!.argv.join(' ')).not.toContain(PASSWORD);
    expect(command!.argv.join(' ')).not.toContain(OWNER_PASSWORD);
    expect(isSecret(command!.stdin)).toBe(true);
    expect((command!.stdin as Secret).reveal()).toBe(`${b64(OWNER_PASSWORD)}\n${b64(PASSWORD)}\n`);
    expect(requests.map((r) => [r.address, r.port, r.name, r.path, r.ca])).toEqual([
      ['203.0.113.10', 443, 'example.com', '/health', CA],
      ['203.0.113.10', 443, 'n8n.example.com', '/healthz', CA],
    ]);
    expect(results[0]?.target).toBe('root@203.0.113.10:22');
    expect(results[0]?.results.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
    expect(JSON.stringify(results)).not.toContain(OWNER_PASSWORD);
  });

  it('fails the host checks with the reason when the host cannot be reached, and never drops verification', async () => {
    let fetched = 0;
    const results = await runSmoke({
      profile,
      hosts: profile.hosts,
      runner: async () => {
        throw new Error('vps: connection refused on 203.0.113.10:2222');
      },
      secrets: { get: async () => undefined },
      fetchSite: async () => {
        fetched++;
        return { kind: 'response', status: 200 };
      },
    });
    const all = results[0]!.results;
    expect(all.filter((r) => r.where === 'host').every((r) => r.status === 'FAIL' && r.reason === 'no connection: vps: connection refused on 203.0.113.10:2222')).toBe(true);
    // Without Caddy's root the sites are not fetched at all: never with verification off.
    expect(fetched).toBe(0);
    expect(all.filter((r) => r.where === 'operator').map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
  });

  it("fails the sites when Caddy's root cannot be read, and a login whose password is not in the vault", async () => {
    const host = fakeHost({ ca: false });
    const results = await runSmoke({ profile, hosts: profile.hosts, runner: async () => host.runner, secrets: { get: async () => undefined }, fetchSite: async () => ({ kind: 'response', status: 200 }) });
    const byId = Object.fromEntries(results[0]!.results.map((r) => [r.id, r]));
    expect(byId['caddy.health']).toMatchObject({ status: 'FAIL', reason: expect.stringMatching(/root certificate could not be read/) as unknown });
    expect(byId['n8n.db-login']).toMatchObject({ status: 'FAIL', reason: 'the vault has no n8n.dbPassword' });
  });

  it('skips every check of a host without an address', async () => {
    const unprovisioned = validExample('minimal', (raw) => {
      delete raw['hosts'][0].address;
      raw['hosts'][0].provider = { kind: 'hetzner', serverType: 'cx22', location: 'fsn1', image: 'debian-12' };
    });
    const results = await runSmoke({
      profile: unprovisioned,
      hosts: unprovisioned.hosts,
      runner: async () => {
        throw new Error('not called');
      },
      secrets: { get: async () => undefined },
    });
    expect(new Set(results[0]!.results.map((r) => `${r.status} ${r.reason}`))).toEqual(new Set(['SKIP no address yet (not provisioned)']));
  });
});
