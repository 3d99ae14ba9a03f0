import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/lib/secret.js';
import type { Step } from '../../src/plan/step.js';
import type { Host, Profile } from '../../src/profile/schema.js';
import { PROGRESS_MARK } from '../../src/shell/progress.js';
import { APT_WAIT, DPKG_LOCK_TIMEOUT_SECONDS } from '../../src/steps/apt.js';
import { PHASES } from '../../src/steps/phases.js';
import { hostSteps } from '../../src/steps/registry.js';
import { validExample } from '../helpers/profiles.js';
import { ensureCommands } from '../helpers/system-packages.js';

const VAULT = { secret: (key: string) => Secret.of(`stand-in value of ${key}`) };

/** Every command text of every step of every host, with Docker from the distribution and from Docker's repository. */
function allScripts(): { step: string; text: string }[] {
  const out: { step: string; text: string }[] = [];
  const vpai = validExample('vpai');
  for (const source of ['distribution', 'vendor'] as const) {
    const profile: Profile = { ...vpai, hosts: vpai.hosts.map((h): Host => ({ ...h, docker: { ...h.docker, source } })) };
    for (const host of profile.hosts) {
      const steps: Step[] = hostSteps(profile, host, PHASES, VAULT);
      for (const step of steps) {
        const commands = [step.check, ...step.apply, step.verify, ...(step.guard?.revert ?? [])].filter((c) => c != null);
        for (const c of commands) out.push({ step: step.id, text: c.argv.join(' ') });
      }
    }
  }
  return out;
}

describe('package steps wait for the dpkg lock', () => {
  const scripts = allScripts();
  const withApt = scripts.filter((s) => /(^|[\s;&|(])apt-get\s/.test(s.text));

  it(`pass -o DPkg::Lock::Timeout=${DPKG_LOCK_TIMEOUT_SECONDS} to every apt-get they run`, () => {
    expect(new Set(withApt.map((s) => s.step))).toEqual(new Set(['harden.packages.base', 'harden.docker.engine', 'vpn.tailscale.package', 'deploy.tls.lego']));
    let count = 0;
    for (const { step, text } of withApt) {
      for (const m of text.matchAll(/(^|[\s;&|(])apt-get(\s+\S+\s+\S+)?/g)) {
        count++;
        expect(m[2], `${step}: ${text.slice(Math.max(0, (m.index ?? 0) - 40), (m.index ?? 0) + 80)}`).toBe(` -o DPkg::Lock::Timeout=${DPKG_LOCK_TIMEOUT_SECONDS}`);
      }
    }
    expect(count).toBeGreaterThanOrEqual(10);
  });

  it('wait for every apt and dpkg lock (apt-get update ignores that option) before their first apt-get', () => {
    for (const { step, text } of withApt) {
      const wait = text.indexOf('\nhlw_apt_wait');
      expect(wait, step).toBeGreaterThan(0);
      expect(wait, step).toBeLessThan(text.search(/(^|[\s;&|(])apt-get\s/));
    }
  });
});

describe('hlw_apt_wait, run by dash against a lock held by another process', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  /** Holds an flock on `file` (it shows in /proc/locks with its pid, as apt's lock does) for `seconds`. */
  async function holdLock(file: string, seconds: number): Promise<number> {
    const holder = spawn('flock', [file, 'sleep', String(seconds)], { stdio: 'ignore' });
    const inode = String(statSync(file).ino);
    // Held once /proc/locks lists it (a busy machine may take a while to start flock).
    for (let i = 0; i < 100 && !readFileSync('/proc/locks', 'utf8').split('\n').some((l) => l.split(/\s+/).some((f) => f.endsWith(`:${inode}`))); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return holder.pid ?? 0;
  }

  function waitScript(lock: string, bound: number): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('dash', ['-c', `${APT_WAIT}\n_al_locks="$1"\nhlw_apt_wait "$2"`, 'test', lock, String(bound)]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  it('returns at once when no lock is held, saying nothing', async () => {
    ensureCommands({ dash: 'dash', flock: 'util-linux' });
    dir = mkdtempSync(path.join(tmpdir(), 'hlw-apt-lock-'));
    writeFileSync(path.join(dir, 'lock-frontend'), '');
    expect(await waitScript(`${dir}/missing ${dir}/lock-frontend`, 5)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('says it waits and for whom, and goes on once the holder ends', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hlw-apt-lock-'));
    const lock = path.join(dir, 'lock-frontend');
    writeFileSync(lock, '');
    const pid = await holdLock(lock, 2);
    const r = await waitScript(lock, 30);
    expect(r.code).toBe(0);
    // The first look may fall into the next second.
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^${PROGRESS_MARK}waiting for the dpkg lock held by process ${pid} \\(flock\\): [01]/30 s$`));
    expect(r.stderr).toBe('');
  });

  it('gives up after its bound, naming the lock, the holder and what to do', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hlw-apt-lock-'));
    const lock = path.join(dir, 'lock-frontend');
    writeFileSync(lock, '');
    const pid = await holdLock(lock, 6);
    const r = await waitScript(lock, 2);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`waiting for the dpkg lock held by process ${pid} (flock)`);
    expect(r.stderr).toContain(`the dpkg lock (${lock}) is still held after 2 s by process ${pid} (flock)`);
    expect(r.stderr).toContain(`wait for it to end (ps -p ${pid}), or stop it if it hangs (kill ${pid}; then dpkg --configure -a), then run the command again`);
  });
});
