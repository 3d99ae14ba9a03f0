import { createHash } from 'node:crypto';
import { isSecret } from '../lib/secret.js';
import type { Action, DirChange, FileChange, StepChange } from './change.js';
import type { DirFacts, FileFacts, StepFacts } from './facts.js';
import { modeBits, stepPhase, type DirSpec, type FileSpec, type Step } from './step.js';
import { unifiedDiff } from './unified-diff.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function contentOf(file: FileSpec): string {
  return isSecret(file.content) ? file.content.reveal() : file.content;
}

export function contentHash(file: FileSpec): string {
  return sha256(contentOf(file));
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

export function evaluateFile(file: FileSpec, facts: FileFacts): FileChange {
  const secret = isSecret(file.content);
  const text = contentOf(file);
  const bytes = Buffer.byteLength(text, 'utf8');
  const base = { path: file.path, secret, bytes };
  if (facts.state === 'absent') return { ...base, action: 'create', reasons: ['missing'] };
  if (facts.state === 'not-a-file') return { ...base, action: 'update', reasons: ['not a regular file'] };
  const reasons: string[] = [];
  let diff: string | undefined;
  if (facts.sha256 !== sha256(text)) {
    reasons.push('content');
    if (!secret && facts.content !== undefined) diff = unifiedDiff(facts.content, text, { before: `${file.path} (on the host)`, after: `${file.path} (planned)` });
    else if (!secret && facts.tooLarge) diff = `(${facts.size} bytes on the host: too large to show a diff)\n`;
  }
  if (facts.mode !== modeBits(file.mode)) reasons.push(`mode ${octal(facts.mode)} → ${file.mode}`);
  if (!ownerMatches(facts.owner, file.owner)) reasons.push(`owner ${shownOwner(facts.owner)} → ${file.owner}`);
  return { ...base, action: reasons.length === 0 ? 'same' : 'update', reasons, ...(diff !== undefined ? { diff } : {}) };
}

const SPECIAL_BITS = 0o6000;

/** The probe reports `name:group/uid:gid`; a spec may name the owner either way ('root:root', '999:999'). */
export function ownerMatches(found: string, wanted: string): boolean {
  const [named, numeric] = found.split('/');
  return wanted === named || wanted === numeric || wanted === found;
}

function shownOwner(found: string): string {
  const [named, numeric] = found.split('/');
  return named?.includes('UNKNOWN') && numeric ? numeric : (named ?? found);
}

/**
 * A folder against what the probe found. A folder made under a setgid parent inherits that bit,
 * and chmod keeps it on folders, so set-id bits count only when the spec asks for them.
 */
export function evaluateDir(dir: DirSpec, facts: DirFacts): DirChange {
  const base = { path: dir.path, mode: dir.mode, owner: dir.owner };
  if (facts.state === 'absent') return { ...base, action: 'create', reasons: ['missing'] };
  if (facts.state === 'not-a-dir') return { ...base, action: 'update', reasons: ['not a folder'] };
  const wanted = modeBits(dir.mode);
  const found = wanted & SPECIAL_BITS ? facts.mode : facts.mode & ~SPECIAL_BITS;
  const reasons: string[] = [];
  if (found !== wanted) reasons.push(`mode ${octal(facts.mode)} → ${dir.mode}`);
  if (!ownerMatches(facts.owner, dir.owner)) reasons.push(`owner ${shownOwner(facts.owner)} → ${dir.owner}`);
  return { ...base, action: reasons.length === 0 ? 'same' : 'update', reasons };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * What a failing check means, in words: what the check itself said is not converged (a step with
 * `checkReports`), else what the step's effect implies, with the exit code for the curious.
 */
export function checkReasons(step: Pick<Step, 'effect'>, facts: Pick<StepFacts, 'checkExit' | 'checkSays'>): string[] {
  if (facts.checkSays && facts.checkSays.length > 0) return [...facts.checkSays];
  const code = facts.checkExit === null || facts.checkExit === undefined ? 'without a code' : `${facts.checkExit}`;
  // 124 is timeout(1)'s, 126/127 the shell's: the check could not decide, which is not "not converged".
  if (facts.checkExit === 124) return [`its check did not finish in time (exit 124): the state is unknown, apply runs the step`];
  if (facts.checkExit === 126 || facts.checkExit === 127) return [`its check could not run (exit ${code}): the state is unknown, apply runs the step`];
  const what = step.effect === 'delete' ? 'something to remove' : step.effect === 'create' ? 'not there yet' : 'not as the profile says yet';
  return [`${what} (its check exited ${code})`];
}

/** The planned fate of a step from what the probe found. */
export function evaluateStep(step: Step, facts: StepFacts): StepChange {
  const specs = step.files ?? [];
  const dirSpecs = step.dirs ?? [];
  const dirFacts = facts.dirs ?? [];
  if (facts.files.length !== specs.length) throw new Error(`step ${step.id}: ${specs.length} files but ${facts.files.length} probe results`);
  if (dirFacts.length !== dirSpecs.length) throw new Error(`step ${step.id}: ${dirSpecs.length} folders but ${dirFacts.length} probe results`);
  const dirs = dirSpecs.map((spec, i) => evaluateDir(spec, dirFacts[i] as DirFacts));
  const files = specs.map((spec, i) => evaluateFile(spec, facts.files[i] as FileFacts));
  const reasons: string[] = [];
  if (step.check !== null && facts.checkExit !== 0) reasons.push(...checkReasons(step, facts));
  const changedDirs = dirs.filter((d) => d.action !== 'same');
  const changedFiles = files.filter((f) => f.action !== 'same');
  if (changedDirs.length > 0) reasons.push(`${plural(changedDirs.length, 'folder')} to make or fix`);
  if (changedFiles.length > 0) reasons.push(`${plural(changedFiles.length, 'file')} to write`);
  const changed = [...changedDirs, ...changedFiles];
  let action: Action = '=';
  if (reasons.length > 0) {
    if (step.effect === 'delete') action = '-';
    else if (step.effect === 'create') action = '+';
    else if (step.effect === 'update') action = '~';
    else if (changed.length > 0 && changed.every((c) => c.action === 'create')) action = '+';
    else action = '~';
  }
  return { id: step.id, phase: stepPhase(step), describe: step.describe, risk: step.risk, action, reasons, ...(dirs.length > 0 ? { dirs } : {}), files };
}

/** A step of a host that cannot be probed yet (it does not exist): known after apply. */
export function unknownStep(step: Step, reason: string): StepChange {
  return { id: step.id, phase: stepPhase(step), describe: step.describe, risk: step.risk, action: '?', reasons: [reason], files: [] };
}

export function isConverged(change: StepChange): boolean {
  return change.action === '=';
}
