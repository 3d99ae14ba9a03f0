import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { finishScript, lockAndProbeScript, probeScript } from '../../src/engine/probe-script.js';
import { probeRequest } from '../../src/engine/planner.js';
import { Secret } from '../../src/lib/secret.js';
import type { Command } from '../../src/plan/command.js';
import type { Step } from '../../src/plan/step.js';
import type { Profile } from '../../src/profile/schema.js';
import { parseAnswers } from '../../src/profile/answers.js';
import { validateProfile } from '../../src/profile/validate.js';
import { REMOTE_SCRIPTS } from '../../src/remote/generated-scripts.js';
import { smokePlan } from '../../src/smoke/checks.js';
import { hostScript } from '../../src/smoke/host-script.js';
import { hostLayout } from '../../src/steps/host-layout.js';
import { PHASES } from '../../src/steps/phases.js';
import { hostSteps, type StepContext } from '../../src/steps/registry.js';
import { isLateVpnStep, vpnLateSteps } from '../../src/steps/vpn/vpn-steps.js';
import { REPO } from '../helpers/profiles.js';

/**
 * Every remote shell script, linted as the host's /bin/sh (dash) reads it: each file of src/remote
 * as assembled (its libraries first), and every `sh -c` script the plans of the example profiles
 * generate (checks, applies, verifies, guard reverts, the vpn round's steps, the smoke script and
 * the probe). Needs shellcheck (test/e2e/bootstrap.sh installs it) and dash (Debian's /bin/sh),
 * no Docker and no sandbox server.
 */

interface Lint {
  readonly ok: boolean;
  readonly output: string;
}

/** `dash -n` (does it parse) and `shellcheck -s dash` (everything it reports fails the lint). */
function lintShell(script: string): Lint {
  const parse = spawnSync('dash', ['-n'], { input: script, encoding: 'utf8' });
  const check = spawnSync('shellcheck', ['-s', 'dash', '-f', 'gcc', '-'], { input: script, encoding: 'utf8' });
  if (parse.error) throw parse.error;
  if (check.error) throw check.error;
  const output = [parse.stderr, check.stdout, check.stderr].filter((s) => s.trim() !== '').join('\n');
  return { ok: parse.status === 0 && check.status === 0, output };
}

/** Lint many scripts; the failures, each with where it came from and the script's lines next to the findings. */
function failures(scripts: ReadonlyMap<string, string>): string[] {
  return [...scripts].flatMap(([where, script]) => {
    const lint = lintShell(script);
    if (lint.ok) return [];
    const lines = script.split('\n');
    const shown = lint.output.replace(/^-:(\d+):/gm, (_m, n: string) => `line ${n} (${(lines[Number(n) - 1] ?? '').trim().slice(0, 100)}):`);
    return [`${where}\n${shown}`];
  });
}

/**
 * The profiles a user starts from: profiles/minimal.yaml, profiles/vpai.yaml and every
 * profiles/*.example.yaml, an answers file as the profile `init` builds from it (its answers-only
 * keys dropped, the services' dependencies added). A file that gives no profile fails the test.
 */
function exampleProfiles(): Map<string, Profile> {
  const names = readdirSync(path.join(REPO, 'profiles')).filter((n) => /\.example\.yaml$/.test(n) || n === 'minimal.yaml' || n === 'vpai.yaml');
  const out = new Map<string, Profile>();
  for (const name of names) {
    const raw: unknown = parse(readFileSync(path.join(REPO, 'profiles', name), 'utf8'));
    let result = validateProfile(raw);
    if (!result.ok) {
      const answers = parseAnswers(raw);
      if (answers.ok) result = validateProfile(answers.answers.profile);
    }
    if (!result.ok) throw new Error(`profiles/${name} is neither a profile nor an answers file: ${JSON.stringify(result.issues)}`);
    out.set(name, result.profile);
  }
  return out;
}

/** Every generated secret present, as after `init`; the vpn round with a pre-auth key made on the hub. */
const VAULT: StepContext = { secret: (key) => Secret.of(`stand-in value of ${key}`) };
const KEY = Secret.of('0123456789abcdef0123456789abcdef0123456789abcdef');

function commandsOf(step: Step): { role: string; command: Command }[] {
  return [
    ...(step.check ? [{ role: 'check', command: step.check }] : []),
    ...step.apply.map((command) => ({ role: 'apply', command })),
    ...(step.verify ? [{ role: 'verify', command: step.verify }] : []),
    ...(step.guard?.revert ?? []).map((command) => ({ role: 'guard revert', command })),
    ...(step.guard?.keepIf ? [{ role: 'guard keep-if', command: step.guard.keepIf }] : []),
  ];
}

/** `sh -c SCRIPT …` anywhere in the plans of the example profiles, plus the scripts the engine sends on stdin. */
function planScripts(): Map<string, string> {
  const scripts = new Map<string, string>();
  const seen = new Set<string>();
  const add = (where: string, script: string): void => {
    if (seen.has(script)) return;
    seen.add(script);
    scripts.set(where, script);
  };
  for (const [name, profile] of exampleProfiles()) {
    for (const host of profile.hosts) {
      const withKey = vpnLateSteps(profile, host, KEY);
      const steps = hostSteps(profile, host, PHASES, VAULT);
      const all = [...steps, ...steps.filter(isLateVpnStep).flatMap((s) => withKey.filter((l) => l.id === s.id))];
      for (const step of all) {
        for (const { role, command } of commandsOf(step)) {
          const [sh, c, script] = command.argv;
          if (sh === 'sh' && c === '-c' && script !== undefined) add(`${name} ${host.name} ${step.id} ${role}`, script);
        }
      }
      const smoke = hostScript(smokePlan(profile, host), `${hostLayout(profile).project}/current`).argv;
      add(`${name} ${host.name} smoke host script`, smoke[2] as string);
      const request = probeRequest(steps, hostLayout(profile).project, { composeProjects: [`${profile.project.name}-infra`, profile.project.name] });
      add(`${name} ${host.name} probe`, probeScript(request));
      add(`${name} ${host.name} lock and probe`, lockAndProbeScript(request, { info: { runId: 'r', owner: 'ada', operatorHost: 'laptop', pid: 1, startedAt: '2026-01-01T00:00:00Z', command: 'apply' } }));
      add(`${name} ${host.name} finish`, finishScript(hostLayout(profile).project, { at: '2026-01-01T00:00:00Z', runId: 'r', who: 'ada@laptop', command: 'apply', profile: name, planDigest: 'd', result: 'ok', changed: 0 }, 'r'));
    }
  }
  return scripts;
}

describe('remote shell scripts', () => {
  it('the lint fails on a script with a shellcheck error, and on one dash cannot parse', () => {
    // SC2086 (a variable unquoted), SC2164 (cd without a fallback), SC2034 (assigned, never used).
    const broken = lintShell('cd $1\nunused=1\nrm -rf $2/*\n');
    expect(broken.ok).toBe(false);
    expect(broken.output).toMatch(/SC2086/);
    const unparsable = lintShell('if [ -n "$1" ]; then echo yes\n');
    expect(unparsable.ok).toBe(false);
    expect(lintShell('printf \'%s\\n\' "$1"\n').ok).toBe(true);
  });

  it('every file of src/remote, as assembled with its libraries, passes dash -n and shellcheck -s dash', () => {
    const files = readdirSync(path.join(REPO, 'src', 'remote')).filter((n) => n.endsWith('.sh'));
    // Each script file is in the generated module (the build and typecheck write it).
    expect(REMOTE_SCRIPTS.filter((s) => !s.name.startsWith('LIB_')).map((s) => path.basename(s.file)).sort()).toEqual(files.sort());
    expect(failures(new Map(REMOTE_SCRIPTS.map((s) => [s.file, s.text])))).toEqual([]);
  });

  it('every sh -c script the plans of the example profiles generate passes dash -n and shellcheck -s dash', () => {
    expect([...exampleProfiles().keys()].sort()).toEqual(expect.arrayContaining(['answers.example.yaml', 'minimal.yaml', 'vpai.yaml']));
    const scripts = planScripts();
    // Harden, vpn, deploy and the engine's own scripts are all there.
    for (const id of ['harden.firewall.rules check', 'harden.ssh.config guard revert', 'deploy.stack.infra apply', 'vpn.tailscale.join apply', 'smoke host script', 'probe']) {
      expect([...scripts.keys()].some((k) => k.endsWith(id)), id).toBe(true);
    }
    expect(failures(scripts)).toEqual([]);
  });
});
