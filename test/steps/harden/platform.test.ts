import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hardenContext } from '../../../src/steps/harden/context.js';
import { hardenSteps } from '../../../src/steps/harden/harden-steps.js';
import { platformStep } from '../../../src/steps/harden/platform.js';
import { validExample } from '../../helpers/profiles.js';

/** This machine's system as the check names it, read independently of the script. */
function thisMachine(): { os: string; arch: string } {
  const release = Object.fromEntries(readFileSync('/etc/os-release', 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]));
  const arch = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim();
  return { os: `${release['ID']}-${release['VERSION_ID']}`, arch };
}

function runCheck(os: string, arch: string): { status: number | null; stdout: string } {
  const profile = validExample('minimal');
  const host = { ...profile.hosts[0], os, arch } as (typeof profile.hosts)[0];
  const argv = platformStep(hardenContext({ ...profile, hosts: [host] }, host)).check?.argv as string[];
  const run = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

describe('harden.system.platform: the host runs the system the profile says', () => {
  it('comes first, before anything is installed or changed', () => {
    expect(hardenSteps(validExample('minimal'), validExample('minimal').hosts[0] as never)[0]?.id).toBe('harden.system.platform');
  });

  it('passes on the system the host runs, and says what it runs otherwise (run here, on this machine)', () => {
    const { os, arch } = thisMachine();
    expect(runCheck(os, arch)).toEqual({ status: 0, stdout: '' });
    expect(runCheck('ubuntu-22.04', arch)).toEqual({ status: 1, stdout: `runs ${os} (${arch})\n` });
    expect(runCheck(os, arch === 'arm64' ? 'amd64' : 'arm64').status).toBe(1);
  });

  it('cannot converge: the apply stops the run naming the fields to correct', () => {
    const profile = validExample('vpai');
    const host = profile.hosts[2] as (typeof profile.hosts)[0];
    const step = platformStep(hardenContext(profile, host));
    expect(step.apply[0]?.argv.join(' ')).toContain('set hosts[2].os and hosts[2].arch to what the host runs');
    expect(step.describe).toBe('System ubuntu-24.04 (arm64)');
  });
});
