import { WizardError } from '../errors.js';

/** The phases of `apply`, in the order they run (DESIGN §1). */
export const PHASES = ['provision', 'dns', 'harden', 'vpn', 'deploy', 'smoke'] as const;
export type Phase = (typeof PHASES)[number];

export function isPhase(name: string): name is Phase {
  return (PHASES as readonly string[]).includes(name);
}

/** `--only deploy,smoke` → the phases in run order; unknown names are a usage error naming the valid ones. */
export function parsePhases(only: string | undefined): Phase[] {
  if (only === undefined) return [...PHASES];
  const names = only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !isPhase(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new WizardError(
      'usage',
      names.length === 0 ? '--only needs at least one phase' : `--only: unknown phase${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `'${n}'`).join(', ')}`,
      `valid phases, in run order: ${PHASES.join(', ')}`,
    );
  }
  return PHASES.filter((p) => names.includes(p));
}
