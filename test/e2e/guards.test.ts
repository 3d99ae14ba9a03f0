import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxServer } from '../../src/sandbox/servers.js';
import type { ProjectCli } from './helpers/cli.js';
import { exampleOnSandbox, SandboxProject } from './helpers/sandbox-project.js';
import { TestBed } from './helpers/test-bed.js';

/**
 * The guards (dead-man switches of the firewall and sshd steps) after a kill -9 and after a
 * `systemctl daemon-reload`, on sandbox servers, driven through the built CLI:
 * (a) runs killed right after a guard was armed, then a run that succeeds, then waiting past the
 *     guards' time: nothing the dead runs armed undoes the converged host;
 * (b) an sshd guard left armed by a killed run, then a daemon-reload: its timer still reverts.
 * Both wait for the guards' real delay (180 s), side by side on two servers.
 */
const GUARD_SECONDS = 180;
const bed = new TestBed('guards');
const project = new SandboxProject(bed, 'guards');

/** minimal.yaml pointed at one sandbox server (root on 22 first, then deploy on 2222), and the CLI on it; the SSH key from the profile. */
function sandboxFor(name: string, server: SandboxServer): ProjectCli {
  const profile = project.writeProfile(exampleOnSandbox(bed, 'minimal', name, [{ host: 'vps', server }]));
  return project.cli({ profile, keyFrom: 'profile', timeoutMs: 400_000 });
}

/** A command as root inside the server, whatever sshd and the firewall do (docker exec, not SSH). */
async function onServer(server: SandboxServer, script: string): Promise<{ code: number; out: string }> {
  try {
    const out = await bed.docker.out(['exec', server.container, 'sh', '-c', script]);
    return { code: 0, out: out.trim() };
  } catch (error) {
    const e = error as { message: string };
    return { code: 1, out: e.message };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const GUARD_UNITS = 'systemctl list-units --all --no-legend "homelab-wizard-guard-*" | wc -l';
/** Guard timers still waiting, or their revert running (a fired timer may stay loaded as `elapsed`). */
const GUARDS_PENDING = `systemctl list-units --all --no-legend --plain "homelab-wizard-guard-*" | awk '$4 == "waiting" || $4 == "running" || $3 == "activating"' | wc -l`;

/**
 * Past the guards' time: `GUARD_SECONDS` (and a margin) after `armed`, then for as long as a guard
 * timer still waits or its revert runs (bounded): a `daemon-reload` can start a waiting timer's
 * delay again, and the point is what the host looks like once every timer has done its work.
 */
async function pastGuardTime(server: SandboxServer, armed: number): Promise<void> {
  const wait = armed + (GUARD_SECONDS + 20) * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
  const until = Date.now() + 420_000;
  while ((await onServer(server, GUARDS_PENDING)).out !== '0' && Date.now() < until) await sleep(5_000);
  await sleep(2_000);
}

/**
 * `apply --only harden --json`, SIGKILLed as soon as `killWhen` holds for its output (checked on
 * every chunk) and, when given, `ready` holds on the server. Returns when the process is gone.
 */
async function applyKilled(cli: ProjectCli, killWhen: (out: string) => boolean, ready?: () => Promise<boolean>): Promise<string> {
  const { child, result } = cli.start('--json', 'apply', '--only', 'harden', '--accept-new-host-keys');
  let seen = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const triggered = await new Promise<boolean>((resolve) => {
    const deadline = setTimeout(() => resolve(false), 300_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (!killWhen(seen)) return;
      child.stdout?.off('data', onData);
      clearTimeout(deadline);
      resolve(true);
    };
    child.stdout?.on('data', onData);
    void exited.then(() => resolve(false));
  });
  expect(triggered, `${seen}\n${err}`).toBe(true);
  if (ready) {
    const until = Date.now() + 30_000;
    while (!(await ready()) && Date.now() < until) await sleep(200);
  }
  expect(child.kill('SIGKILL')).toBe(true);
  const done = await result;
  expect(done.signal).toBe('SIGKILL');
  expect(seen).not.toContain('"type":"run-done"');
  return seen;
}

const armedAt = (step: string) => (out: string) => new RegExp(`"type":"guard"[^\\n]*"step":"${step.replace(/\./g, '\\.')}"[^\\n]*"action":"armed"|"type":"guard"[^\\n]*"action":"armed"[^\\n]*"step":"${step.replace(/\./g, '\\.')}"`).test(out);

beforeAll(async () => {
  await bed.setUp();
});

afterAll(async () => {
  await bed.tearDown();
  project.remove();
  expect(await bed.leftovers()).toEqual([]);
});

describe.concurrent('guards after kill -9 and daemon-reload', () => {
  it('(a) runs killed right after a guard was armed, then a successful run: past the guards\' time the host is still converged', async ({ expect }) => {
    const server = await bed.startServer('killed');
    const cli = sandboxFor('killed', server);

    // The first run dies right after the firewall guard is armed, the second right after the sshd one.
    await applyKilled(cli, armedAt('harden.firewall.rules'));
    const secondKill = await applyKilled(cli, armedAt('harden.ssh.config'));
    const lastArmed = Date.now();
    expect(secondKill).toContain('"step":"harden.ssh.new-port"');

    const rerun = await cli('apply', '--only', 'harden', '--accept-new-host-keys');
    expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
    expect(rerun.stdout).toMatch(/Apply complete: \d+ changed, \d+ unchanged on 1 host/);

    // Past every guard's time (counted from the last one armed).
    await pastGuardTime(server, lastArmed);

    const journal = (await onServer(server, 'journalctl --no-pager -o cat -u "homelab-wizard-guard-*" | tail -n 30')).out;
    const ufw = await onServer(server, 'ufw status');
    expect(ufw.out, journal).toMatch(/^Status: active$/m);
    const sshd = await onServer(server, 'sshd -T');
    const effective = sshd.out.split('\n');
    expect(effective.filter((l) => l.startsWith('port '))).toEqual(['port 2222']);
    for (const line of ['permitrootlogin no', 'passwordauthentication no', 'allowusers deploy']) expect(effective).toContain(line);
    expect((await onServer(server, 'ls /etc/ssh/sshd_config.d/')).out.split('\n').sort()).toEqual(['00-homelab-wizard.conf', '00-provider.conf']);
    const plan = await cli('plan', '--only', 'harden');
    expect(plan.stdout, plan.stderr).toContain('Plan: 0 to add, 0 to change, 0 to destroy');
    expect(plan.code).toBe(0);
    // Nothing armed is left: no timer, no revert script.
    expect((await onServer(server, GUARD_UNITS)).out).toBe('0');

    // The rerun showed what it found and what it did about it.
    const shown = `${rerun.stdout}\n${rerun.stderr}`;
    expect(shown).toMatch(/guard of harden\.ssh\.config .*armed by run \S+/);
    expect(shown).toMatch(/guard of harden\.ssh\.config .*disarmed: deploy@\S+:2222 logged in from a new connection and sshd -t passed/);
  }, 900_000);

  it('(b) an sshd guard armed by a killed run still reverts after a daemon-reload', async ({ expect }) => {
    const server = await bed.startServer('reload');
    const cli = sandboxFor('reload', server);
    // The new port is dropped on the way (a provider firewall, say): the move cannot be proven.
    const pid = (await bed.docker.out(['inspect', '-f', '{{.State.Pid}}', server.container])).trim();
    execFileSync('nsenter', ['-t', pid, '-n', 'iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'DROP']);

    // Killed once the step listens on both ports (its change is made) and before its proof can give up.
    const transition = '/etc/ssh/sshd_config.d/00-homelab-wizard-transition.conf';
    await applyKilled(cli, armedAt('harden.ssh.new-port'), async () => (await onServer(server, `test -f ${transition}`)).code === 0);
    const armed = Date.now();
    expect((await onServer(server, 'sshd -T | grep "^port " | sort')).out).toBe('port 22\nport 2222');
    expect((await onServer(server, 'systemctl daemon-reload')).code).toBe(0);
    // Not reverted by anyone but the timer: the transition is still there after the reload.
    expect((await onServer(server, `test -f ${transition}`)).code).toBe(0);

    await pastGuardTime(server, armed);

    const journal = (await onServer(server, 'journalctl --no-pager -o cat -u "homelab-wizard-guard-*" | tail -n 30')).out;
    expect((await onServer(server, `test -e ${transition} && echo present || echo gone`)).out, journal).toBe('gone');
    expect((await onServer(server, 'sshd -T | grep "^port "')).out).toBe('port 22');
    expect((await onServer(server, 'systemctl is-active ssh')).out).toBe('active');
    // The timer ran its revert; nothing of it waits or runs any more.
    expect((await onServer(server, GUARDS_PENDING)).out).toBe('0');
  }, 900_000);
});
