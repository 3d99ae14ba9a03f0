import { describe, expect, it } from 'vitest';
import { sandboxProfile, sandboxProfileName } from '../../src/sandbox/sandbox-profile.js';
import { validateProfile } from '../../src/profile/validate.js';
import { exampleProfile } from '../helpers/profiles.js';

describe('the sandbox copy of a profile', () => {
  const vpai = exampleProfile('vpai');
  const addresses = vpai.hosts.map((h: { name: string }, i: number) => ({ host: h.name, address: `172.31.213.${i + 3}` }));
  const copy = sandboxProfile(vpai, 'vpai', addresses) as Record<string, any>;

  it('is a valid profile', () => {
    const result = validateProfile(copy);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('points every host at its sandbox server, reached as root on 22 like a fresh cloud server', () => {
    expect(copy.hosts.map((h: any) => [h.name, h.address, h.ssh.port, h.ssh.user, h.os, h.arch])).toEqual([
      ['sese-ai', '172.31.213.3', 22, 'root', 'debian-12', 'amd64'],
      ['seko-vpn', '172.31.213.4', 22, 'root', 'debian-12', 'amd64'],
      ['waza', '172.31.213.5', 22, 'root', 'debian-12', 'amd64'],
      ['app-prod', '172.31.213.6', 22, 'root', 'debian-12', 'amd64'],
    ]);
    // The hardening targets stay what the operator chose: that is what the rehearsal is for.
    expect(copy.hosts[0].ssh).toMatchObject({ targetPort: 804, adminUser: 'mobuone' });
    expect(copy.hosts[3]).not.toHaveProperty('provider');
  });

  it('takes images from the local registry, uses internal TLS and manual DNS, no backups, never production', () => {
    // Plain HTTP (the harden phase keeps it in Docker's daemon.json), and Debian's Docker: no HTTPS egress.
    expect(copy.images).toEqual({ registry: 'sandbox-registry:5000', insecureRegistry: true });
    for (const host of copy.hosts) expect(host.docker).toEqual({ source: 'distribution' });
    expect(copy.domain).toMatchObject({ name: 'example.com', tls: 'internal', dnsProvider: 'manual' });
    expect(copy.backups.enabled).toBe(false);
    // Nor NocoDB's attachments in S3 (its smoke check would try Hetzner from the bed).
    expect(copy.backups.s3).toEqual({ endpoint: 'fsn1.your-objectstorage.com', region: 'fsn1', bucket: 'vpai-backups' });
    expect(copy.project).toMatchObject({ name: 'vpai-sandbox', production: false, displayName: 'VPAI (sandbox)' });
    expect(copy['x-sandbox']).toMatchObject({ from: 'profiles/vpai.yaml', bed: 'vpai' });
  });

  it("with an ACME server (--acme), keeps the profile's TLS mode and DNS provider and points them at it", () => {
    const roots = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const acme = sandboxProfile(vpai, 'vpai', addresses, undefined, { directory: 'https://172.31.213.1:14000/dir', roots, resolvers: ['172.31.213.1:53'], ovhEndpoint: 'http://172.31.213.1:8080/1.0' }) as Record<string, any>;
    expect(acme.domain).toEqual({ ...vpai.domain, acmeServer: { directory: 'https://172.31.213.1:14000/dir', roots }, acmeResolvers: ['172.31.213.1:53'] });
    expect(acme.providers.ovh.endpoint).toBe('http://172.31.213.1:8080/1.0');
    expect(vpai.domain).not.toHaveProperty('acmeServer');
  });

  it('leaves the source profile untouched', () => {
    expect(vpai.hosts[0].address).toBe('203.0.113.10');
    expect(vpai.images).toBeUndefined();
  });

  it('adds an explicit --ssh-key to the operator keys and uses its private key, so hardening keeps the operator in', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl sandbox@example.com';
    const withKey = sandboxProfile(vpai, 'vpai', addresses, { publicKeys: [key], identityFile: '/home/ops/.ssh/sandbox' }) as Record<string, any>;
    expect(withKey.operator.sshPublicKeys).toEqual([vpai.operator.sshPublicKeys[0], key]);
    expect(withKey.operator.identityFile).toBe('/home/ops/.ssh/sandbox');
    expect(copy.operator).toEqual(vpai.operator);
  });

  it('keeps names valid profile names', () => {
    expect(sandboxProfileName('minimal')).toBe('minimal-sandbox');
    const long = sandboxProfileName('a-very-long-profile-name-of-thirty2');
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
  });
});
