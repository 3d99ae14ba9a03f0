import { isSecret } from '../lib/secret.js';
import type { Command } from './command.js';
import { contentHash, sha256 } from './evaluate.js';
import type { StepFacts } from './facts.js';
import type { Step } from './step.js';

function commandShape(command: Command | null | undefined): unknown {
  if (!command) return null;
  const stdin = command.stdin === undefined ? null : isSecret(command.stdin) ? `secret:${sha256(command.stdin.reveal())}` : sha256(command.stdin);
  return { argv: command.argv, sudo: command.sudo !== false, stdin };
}

/**
 * A digest of what the steps of a host want: every command, file path, mode, owner and content
 * hash. A saved plan carries it, so `apply --plan` notices a changed profile or template.
 */
export function desiredDigest(steps: readonly Step[]): string {
  const shape = steps.map((step) => ({
    id: step.id,
    risk: step.risk,
    check: commandShape(step.check),
    dirs: (step.dirs ?? []).map((d) => [d.path, d.mode, d.owner]),
    files: (step.files ?? []).map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, sha256: contentHash(f) })),
    apply: step.apply.map(commandShape),
    verify: commandShape(step.verify),
  }));
  return sha256(JSON.stringify(shape));
}

/** A digest of what the probe found: whether each check passed, and each file's hash, mode and owner. */
export function observedDigest(stepIds: readonly string[], facts: readonly StepFacts[]): string {
  const shape = facts.map((f, i) => ({
    id: stepIds[i],
    check: f.checkExit === null ? null : f.checkExit === 0,
    dirs: (f.dirs ?? []).map((d) => (d.state === 'present' ? [d.mode, d.owner] : d.state)),
    files: f.files.map((file) => (file.state === 'present' ? [file.sha256, file.mode, file.owner] : file.state)),
  }));
  return sha256(JSON.stringify(shape));
}

/** The digest an audit line records: what was wanted and what was found, together. */
export function planDigest(plan: { readonly desiredDigest: string; readonly observedDigest: string }): string {
  return sha256(`${plan.desiredDigest}:${plan.observedDigest}`);
}
