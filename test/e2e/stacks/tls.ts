import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOvh } from '../../fakes/fake-ovh.js';
import { AcmeBed } from '../helpers/acme-bed.js';
import { sandboxDoc, SandboxProject, STACK } from '../helpers/sandbox-project.js';
import { E2E_SUBNET, remote } from '../helpers/test-bed.js';
import type { StackServer } from './stack-server.js';

interface JsonCheck { id: string; status: string; reason: string }
interface JsonSmoke { ok: boolean; hosts: { checks: JsonCheck[] }[] }
const byId = (stdout: string): Record<string, JsonCheck> => Object.fromEntries(((JSON.parse(stdout) as JsonSmoke).hosts[0]?.checks ?? []).map((c) => [c.id, c]));

/** The serial of the certificate a name is served with at address:443, verified against `ca`. */
function servedSerial(address: string, name: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port: 443, servername: name, ca, rejectUnauthorized: true, timeout: 10_000 }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
    socket.on('timeout', () => socket.destroy(new Error(`no TLS answer from ${address}:443 for ${name}`)));
  });
}

/** One HTTPS GET through Caddy, chain verified against `ca`: the status, or the error text. */
function get(address: string, name: string, ca: string): Promise<number | string> {
  return new Promise((resolve) => {
    const r = request({ host: address, port: 443, path: '/', servername: name, headers: { Host: name }, ca, rejectUnauthorized: true, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', (e) => resolve(e.message));
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.end();
  });
}

/** Polls until `name` is served with a certificate that verifies against `ca` (Caddy obtains it after it starts): bounded. */
async function untilServed(address: string, name: string, ca: string, seconds: number): Promise<void> {
  let last: unknown;
  for (let i = 0; i < seconds; i++) {
    try {
      await servedSerial(address, name, ca);
      return;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(`${name} is not served with a certificate from the expected CA after ${seconds} s: ${String(last)}`);
}

/**
 * TLS for real, against a real ACME server: Pebble on the bed network's gateway with the bed's DNS
 * (the fake OVH's published records). A public site gets its certificate from Caddy by HTTP-01;
 * a VPN-only site (port 80 not published) gets one from lego on the host by DNS-01 through the
 * fake OVH; a forced renewal is picked up with no failed request; wrong OVH credentials fail the
 * renewal with the step named while the old certificate keeps being served. Smoke verifies every
 * chain against Pebble's roots only (`domain.acmeServer.roots`).
 */
export function describeTls(host: StackServer): void {
  describe('TLS from a real ACME server on a sandbox server', () => {
    const gateway = E2E_SUBNET.replace(/\.0\/\d+$/, '.1');
    const ovh = new FakeOvh({ address: gateway });
    const acme = new AcmeBed({ address: gateway, ovh });
    let roots = '';
    let consumerKey = '';
    const acmeServer = (): Record<string, string> => ({ directory: acme.directoryUrl, roots });

    beforeAll(async () => {
      await host.clear();
      await ovh.start();
      consumerKey = ovh.addConsumer();
      ovh.addZone('example.com');
      await acme.start();
      roots = await acme.rootsPem();
      // What the public DNS gives a real server: the zone's nameserver by name (lego's propagation check asks it).
      await remote(host.ssh, `printf '%s' '${acme.dns.hostsLines()}' >> /etc/hosts`);
    }, 120_000);

    afterAll(async () => {
      await remote(host.ssh, `sed -i '/\\tns1\\./d' /etc/hosts`).catch(() => undefined);
      await acme.stop();
      await ovh.stop();
    });

    describe('a public site by HTTP-01 (Caddy)', () => {
      const project = new SandboxProject(host.bed, 'tls-http');
      const cli = project.cli({ profile: 'e2e-tls-http' });
      afterAll(() => project.remove());

      it('gets a certificate from Pebble and smoke verifies its chain and shows its end', { timeout: 600_000 }, async () => {
        acme.pointAt('example.com', '', host.server.address);
        const doc = sandboxDoc(host.bed, 'e2e-tls-http', [{ server: host.server, reach: 'network', services: ['docker', 'caddy'] }], {
          ...STACK,
          domain: { name: 'example.com', tls: 'acme-http', acmeEmail: 'acme@example.com', acmeServer: acmeServer() },
        });
        project.writeProfile(doc);
        await project.writeVault(doc);
        const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
        expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
        await untilServed(host.server.address, 'example.com', roots, 90);
        const smoke = await cli('smoke', '--json');
        expect(smoke.code, `${smoke.stdout}\n${smoke.stderr}`).toBe(0);
        const health = byId(smoke.stdout)['caddy.health'];
        expect(health?.status, health?.reason).toBe('PASS');
        expect(health?.reason).toMatch(/^status 200, certificate valid until \d{4}-\d\d-\d\d \(Pebble Intermediate CA [0-9a-f]+\)$/);
        // Which challenge Caddy solved, from its own log.
        const solved = await remote(host.ssh, `docker logs $(docker ps -q --filter label=com.docker.compose.service=caddy) 2>&1 | grep -o '"challenge_type":"[a-z0-9-]*"' | sort -u`);
        expect(solved).toBe('"challenge_type":"http-01"');
      });
    });

    describe('a VPN-only site by DNS-01 through OVH (lego on the host)', () => {
      const project = new SandboxProject(host.bed, 'tls-dns');
      const NAME = 'e2e-tls-dns';
      const cli = project.cli({ profile: NAME });
      const SITE = 'qd.example.com';
      let secrets = new Map<string, string>();
      let firstSerial = '';
      let renewedSerial = '';
      afterAll(() => project.remove());

      beforeAll(async () => {
        await host.clear();
        const doc = sandboxDoc(host.bed, NAME, [{ server: host.server, reach: 'network', services: ['docker', 'caddy', 'qdrant'] }], {
          ...STACK,
          domain: { name: 'example.com', tls: 'acme-dns-ovh', dnsProvider: 'ovh', acmeEmail: 'acme@example.com', acmeServer: acmeServer(), acmeResolvers: [`${gateway}:53`] },
          access: { mode: 'vpn-only' },
          vpn: { enabled: true, headscaleUrl: 'https://vpn.example.com' },
          providers: { ovh: { endpoint: ovh.endpoint } },
        });
        project.writeProfile(doc);
        secrets = await project.writeVault(doc, { set: { 'ovh.applicationKey': ovh.appKey, 'ovh.applicationSecret': ovh.appSecret, 'ovh.consumerKey': consumerKey } });
      });

      it('gets a certificate with port 80 closed, through TXT records the fake OVH published, and smoke passes', { timeout: 900_000 }, async () => {
        const before = ovh.requests.length;
        const deployed = await cli('apply', '--only', 'deploy', '--accept-new-host-keys');
        const evidence = deployed.code === 0 ? '' : await remote(host.ssh, `journalctl -u homelab-wizard-acme-${NAME}.service --no-pager -n 40; cat /opt/homelab/${NAME}/tls/state; ls -la /opt/homelab/${NAME}/data/caddy/certs; cat /opt/homelab/${NAME}/data/caddy/certs/site.caddy`).catch((e: Error) => e.message);
        expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}\n${evidence}`).toBe(0);
        expect(deployed.stdout).toContain('deploy.tls.certificate');
        const calls = ovh.requests.slice(before).join('\n');
        expect(calls).toMatch(/POST \/1\.0\/domain\/zone\/example\.com\/record/);
        expect(calls).toMatch(/POST \/1\.0\/domain\/zone\/example\.com\/refresh/);
        expect(calls).toMatch(/DELETE \/1\.0\/domain\/zone\/example\.com\/record\/\d+/);
        expect(ovh.published('example.com').filter((r) => r.fieldType === 'TXT')).toEqual([]);
        // Nothing answers on port 80: HTTP-01 could not have been the way.
        expect(await remote(host.ssh, `curl -s -o /dev/null -m 5 -w '%{http_code}' http://${host.server.address}/ || true`)).toBe('000');
        firstSerial = await servedSerial(host.server.address, SITE, roots);
        expect(await get(host.server.address, SITE, roots)).toBe(403); // VPN-only, and this machine is outside the VPN

        const files = await remote(host.ssh, `stat -c '%a %U %n' /opt/homelab/${NAME}/tls/ovh.env /opt/homelab/${NAME}/tls`);
        expect(files).toBe(`600 root /opt/homelab/${NAME}/tls/ovh.env\n700 root /opt/homelab/${NAME}/tls`);
        expect(await remote(host.ssh, `systemctl is-active homelab-wizard-acme-${NAME}.timer`)).toBe('active');

        const smoke = await cli('smoke', '--json');
        expect(smoke.code, `${smoke.stdout}\n${smoke.stderr}`).toBe(0);
        const checks = byId(smoke.stdout);
        expect(checks['caddy.tls-renewal']).toMatchObject({ status: 'PASS' });
        expect(checks['qdrant.site']?.reason).toMatch(/^refused outside the VPN range \(403\), certificate valid until .*Pebble Intermediate CA/);
        const again = await cli('apply', '--only', 'deploy');
        expect(again.code, again.stdout).toBe(0);
        expect(again.stdout).toMatch(/0 changed/);
        for (const value of secrets.values()) expect(cli.outputs.join('\n').includes(value), 'a secret in the output').toBe(false);
      });

      it('picks up a forced renewal with no failed request while it happens', { timeout: 300_000 }, async () => {
        let stop = false;
        const answers: (number | string)[] = [];
        const load = (async () => {
          while (!stop) {
            answers.push(await get(host.server.address, SITE, roots));
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
        await new Promise((r) => setTimeout(r, 1000));
        await remote(host.ssh, `systemctl set-environment ACME_FORCE=1 && systemctl start homelab-wizard-acme-${NAME}.service; rc=$?; systemctl unset-environment ACME_FORCE; exit $rc`);
        await new Promise((r) => setTimeout(r, 2000));
        stop = true;
        await load;
        renewedSerial = await servedSerial(host.server.address, SITE, roots);
        expect(renewedSerial).not.toBe(firstSerial);
        expect(answers.length).toBeGreaterThan(10);
        expect(answers.filter((a) => a !== 403)).toEqual([]);
      });

      it('fails the renewal on wrong OVH credentials, naming the step and OVH\'s answer, and keeps serving the old certificate', { timeout: 600_000 }, async () => {
        const set = await cli.withInput('0123456789abcdef0123456789abcdef', 'secrets', 'set', 'ovh.applicationSecret');
        expect(set.code, set.stderr).toBe(0);
        const failed = await cli('apply', '--only', 'deploy');
        expect(failed.code).toBe(1);
        const said = `${failed.stdout}\n${failed.stderr}`;
        expect(said).toMatch(/deploy\.tls\.certificate/);
        expect(said).toMatch(/lego exited 1: .*Invalid signature/);
        expect(await servedSerial(host.server.address, SITE, roots)).toBe(renewedSerial);
        expect(await get(host.server.address, SITE, roots)).toBe(403);

        const smoke = await cli('smoke', '--json');
        expect(smoke.code, `${smoke.stdout}\n${smoke.stderr}`).toBe(0); // a warning, not a failure: the site is still served
        const checks = byId(smoke.stdout);
        expect(checks['caddy.tls-renewal']?.status).toBe('WARN');
        expect(checks['caddy.tls-renewal']?.reason).toMatch(/^last renewal failed at .*Invalid signature.*; still serving the certificate valid until /);
        expect(checks['qdrant.site']?.status).toBe('PASS');
        const status = await cli('status', '--only', 'deploy');
        expect(status.stdout).toMatch(/tls: last renewal failed at .*Invalid signature/);
      });
    });
  });
}
