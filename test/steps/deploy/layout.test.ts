import { describe, expect, it } from 'vitest';
import type { Profile } from '../../../src/profile/schema.js';
import { makeDirCommand } from '../../../src/engine/executor.js';
import { describeCommand } from '../../../src/shell/describe-command.js';
import { layoutSteps } from '../../../src/steps/deploy/layout.js';
import { hostLayout } from '../../../src/steps/host-layout.js';
import { hostSteps } from '../../../src/steps/registry.js';
import { validExample } from '../../helpers/profiles.js';

const profile = (mutate?: (p: Record<string, any>) => void): Profile => validExample('minimal', mutate);

describe('deploy layout steps', () => {
  it('puts the project under deploy.root (default /opt/homelab)', () => {
    expect(hostLayout(profile())).toMatchObject({ project: '/opt/homelab/minimal', releases: '/opt/homelab/minimal/releases', lock: '/opt/homelab/minimal/lock', audit: '/opt/homelab/minimal/audit.log' });
    expect(hostLayout(profile((p) => (p.deploy = { root: '/srv/stacks' }))).project).toBe('/srv/stacks/minimal');
  });

  it('declares folders with explicit modes and owners, made by install -d', () => {
    const p = profile();
    const [releases, data, readme] = layoutSteps(p, p.hosts[0] as Profile['hosts'][number]);
    expect(releases).toMatchObject({ id: 'deploy.layout.releases', check: null, apply: [], dirs: [{ path: '/opt/homelab/minimal/releases', mode: '0750', owner: 'root:root' }] });
    expect(data?.dirs).toEqual([{ path: '/opt/homelab/minimal/data', mode: '0755', owner: 'root:root' }]);
    expect(describeCommand(makeDirCommand(releases?.dirs?.[0] as never))).toBe('install -d -m 0750 -o root -g root -- /opt/homelab/minimal/releases');
    expect(readme?.check).toBeNull();
    expect(readme?.files?.[0]).toMatchObject({ path: '/opt/homelab/minimal/README', mode: '0644', owner: 'root:root' });
    expect(readme?.files?.[0]?.content).toContain("managed by homelab-wizard (project 'minimal', host 'vps')");
  });

  it('belongs to the deploy phase only', () => {
    const p = profile();
    const host = p.hosts[0] as Profile['hosts'][number];
    expect(hostSteps({ ...p, hosts: [{ ...host, services: [] }] }, { ...host, services: [] }, ['deploy']).map((s) => s.id)).toEqual(['deploy.layout.releases', 'deploy.layout.data', 'deploy.layout.readme']);
    expect(hostSteps(p, host, ['vpn', 'smoke'])).toEqual([]);
    expect(hostSteps(p, host, ['harden']).every((s) => s.id.startsWith('harden.'))).toBe(true);
  });
});
