import { describe, expect, it } from 'vitest';
import { profileWarnings } from '../../src/profile/warnings.js';
import { validExample } from '../helpers/profiles.js';

/** The warnings about hosts (the examples also set notifications, which get their own). */
const hostWarnings = (p: Parameters<typeof profileWarnings>[0]) => profileWarnings(p).filter((w) => w.path.startsWith('hosts'));
const withoutFirewall = (services: string[]) => services.filter((s) => s !== 'ufw' && s !== 'fail2ban');

describe('profile warnings', () => {
  it('warns about a public server without a firewall', () => {
    const p = validExample('minimal', (raw) => (raw.hosts[0].services = withoutFirewall(raw.hosts[0].services)));
    expect(hostWarnings(p)).toEqual([{ path: 'hosts[0].services', message: expect.stringMatching(/vps is a public server without a firewall: add ufw/) }]);
  });

  it('warns about a new Hetzner server without a firewall', () => {
    const p = validExample('minimal', (raw) => {
      raw.hosts[0].services = withoutFirewall(raw.hosts[0].services);
      delete raw.hosts[0].address;
      raw.hosts[0].provider = { kind: 'hetzner', serverType: 'cx23', location: 'fsn1', image: 'debian-13' };
    });
    expect(hostWarnings(p)).toHaveLength(1);
  });

  it.each(['192.168.1.20', '10.0.0.5', '127.0.0.1', 'pi.local', 'fd12::1'])('does not warn about a server on a private address (%s)', (address) => {
    const p = validExample('minimal', (raw) => {
      raw.hosts[0].services = withoutFirewall(raw.hosts[0].services);
      raw.hosts[0].address = address;
    });
    expect(hostWarnings(p)).toEqual([]);
  });

  it('has no host warning for the minimal example, and none at all without notifications', () => {
    expect(hostWarnings(validExample('minimal'))).toEqual([]);
    expect(profileWarnings(validExample('minimal', (raw) => (raw.notifications = { method: 'none' })))).toEqual([]);
  });

  it('says that backups and alerts are not carried out yet, where the profile asks for them (vpai does)', () => {
    expect(profileWarnings(validExample('vpai'))).toEqual([
      { path: 'backups.enabled', message: expect.stringMatching(/^this version does not make backups yet: nothing of this profile is backed up/) },
      { path: 'notifications.method', message: expect.stringMatching(/^this version sends no alerts yet \(telegram is kept/) },
    ]);
  });
});
