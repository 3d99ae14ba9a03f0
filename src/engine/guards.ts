import type { Command } from '../plan/command.js';
import type { GuardMeta } from '../plan/guard-facts.js';
export { guardFoundText, isReverting } from '../plan/guard-facts.js';
import type { Step } from '../plan/step.js';
import { quote, quoteToken } from '../shell/quote.js';
import type { ProveResult } from './access.js';
import { GUARD_ARM, GUARD_DISARM, GUARD_REVERT_NOW, GUARD_WAIT_REVERT } from '../remote/generated-scripts.js';

/**
 * A guard is a dead-man switch on a host: a revert script in the project folder and a transient
 * systemd timer that runs it unless a run proves the change safe first. It belongs to the host
 * (its project folder) and the guarded step, never to one run: whichever run finds it next,
 * holding the project's lock, shows it and resolves it (resolve-guards.ts).
 */

/** How long a revert may take when a run starts it itself, or waits for the timer's one. */
export const REVERT_TIMEOUT_S = 120;

/** The first line a revert script starts with after the shebang; the probe reads it back. */
export const GUARD_HEADER = '# homelab-wizard guard ';

const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

/** Where a project keeps its guards on a host: root-only, next to its lock. */
export function guardDir(project: string): string {
  return `${project}/guards`;
}

/** Every guard unit of a project starts with this (the project folder's name). */
export function guardUnitPrefix(project: string): string {
  return `homelab-wizard-guard-${clean(project.split('/').filter(Boolean).pop() ?? 'project')}-`;
}

/** The unit and the script file of a step's guard: the same for every run of the project. */
export function guardFiles(project: string, stepId: string): { readonly unit: string; readonly path: string } {
  return { unit: `${guardUnitPrefix(project)}${clean(stepId)}`.slice(0, 200), path: `${guardDir(project)}/${clean(stepId)}.sh` };
}

/** What a guard records about itself, so that any later run can judge it without the step. */
export function guardMeta(step: Step, runId: string): GuardMeta {
  const guard = step.guard as NonNullable<Step['guard']>;
  return { step: step.id, runId, seconds: guard.seconds, prove: step.prove ?? 'current', ...(guard.keepIf ? { keepIf: guard.keepIf.argv } : {}) };
}

/**
 * The revert as a script file. systemd runs the file itself (no `sh -c` with escaped text that a
 * `daemon-reload` re-parses). Every revert command runs even when one before it failed; the file
 * removes itself only when all of them succeeded, so a failed revert is found by the next run.
 */
export function guardScript(meta: GuardMeta, revert: readonly Command[], path: string): string {
  return [
    '#!/bin/sh',
    `${GUARD_HEADER}${Buffer.from(JSON.stringify(meta), 'utf8').toString('base64')}`,
    `# Reverts ${meta.step} (armed by run ${meta.runId}) unless a run proves the change safe and removes this file.`,
    's=0',
    ...revert.map((c) => `${quote(c.argv)} || s=1`),
    `if [ "$s" = 0 ]; then rm -f -- ${quoteToken(path)}; fi`,
    'exit "$s"',
    '',
  ].join('\n');
}

/** A script header back into what the guard recorded; undefined when it is not one of ours. */
export function parseGuardMeta(encoded: string): GuardMeta | undefined {
  try {
    const v = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Partial<GuardMeta>;
    const proveOk = v.prove === 'current' || (typeof v.prove === 'object' && v.prove !== null && typeof v.prove.port === 'number' && typeof v.prove.user === 'string');
    if (typeof v.step !== 'string' || typeof v.runId !== 'string' || typeof v.seconds !== 'number' || !proveOk) return undefined;
    const keepIf = Array.isArray(v.keepIf) && v.keepIf.every((a) => typeof a === 'string') ? v.keepIf : undefined;
    return { step: v.step, runId: v.runId, seconds: v.seconds, prove: v.prove as GuardMeta['prove'], ...(keepIf ? { keepIf } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Arm, in one round trip: write the script (0700 root, through a temp file) into the guards
 * folder, then start a transient timer that runs it after `seconds`. systemd runs it, so it fires
 * even when this machine, its network or this process is gone.
 */
export function armCommand(project: string, unit: string, seconds: number, path: string, script: string): Command {
  return {
    argv: [
      'sh',
      '-c',
      GUARD_ARM,
      'homelab-wizard',
      guardDir(project),
      path,
      String(seconds),
      unit,
    ],
    stdin: script,
  };
}

/** Disarm: stop the timer (its service never starts), then remove the script. Fails when the timer is already gone. */
export function disarmCommand(unit: string, path: string): Command {
  return { argv: ['sh', '-c', GUARD_DISARM, 'homelab-wizard', unit, path] };
}

/** Forget a guard whose timer is gone (a reboot, a kill before it was started): only its script is left. */
export function forgetCommand(path: string): Command {
  return { argv: ['rm', '-f', '--', path] };
}

/**
 * Revert now and wait for it (bounded): run the script here; once it passed, stop the timer so it
 * does not run twice. A revert that fails (or never ends) leaves the timer armed to try again.
 */
export function revertNowCommand(unit: string, path: string): Command {
  return { argv: ['sh', '-c', GUARD_REVERT_NOW, 'homelab-wizard', unit, path, String(REVERT_TIMEOUT_S)] };
}

/** Wait (bounded) while the timer's own revert runs; prints whether the script is still there after. */
export function waitRevertCommand(unit: string, path: string): Command {
  return {
    argv: [
      'sh',
      '-c',
      GUARD_WAIT_REVERT,
      'homelab-wizard',
      unit,
      path,
      String(REVERT_TIMEOUT_S),
    ],
  };
}

export type GuardDecision = { readonly action: 'disarm' | 'revert'; readonly reason: string };

/**
 * The rule for a guard another run left: keep the change (disarm) only when it is proven safe
 * right now, that is, a NEW login as the step itself would have proven it succeeds (for sshd
 * steps also `sshd -t`, so the next reload cannot fail). Anything else (no proof, a failed
 * proof, a failed check, a script we cannot read) reverts it now, as its timer would have.
 */
export function decideGuard(meta: GuardMeta | undefined, proof: ProveResult | undefined, keep: { readonly ok: boolean } | undefined): GuardDecision {
  if (!meta) return { action: 'revert', reason: 'its script does not say which step or login it guards' };
  if (!proof) return { action: 'revert', reason: 'this run cannot open a second connection to prove access' };
  if (!proof.ok) return { action: 'revert', reason: `a new connection as ${proof.target} failed (${proof.reason})` };
  const keepText = meta.keepIf ? quote(meta.keepIf) : undefined;
  if (meta.keepIf && !keep?.ok) return { action: 'revert', reason: `${proof.target} logged in, but ${keepText} failed` };
  return { action: 'disarm', reason: `${proof.target} logged in from a new connection${keepText ? ` and ${keepText} passed` : ''}` };
}
