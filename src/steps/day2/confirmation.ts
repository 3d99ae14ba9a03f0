import { WizardError } from '../../errors.js';

export interface ConfirmInput {
  readonly profileName: string;
  readonly production: boolean;
  readonly yes: boolean;
  readonly interactive: boolean;
  /** `--confirm NAME`. */
  readonly confirm?: string;
}

export type ConfirmDecision = { readonly kind: 'go' } | { readonly kind: 'ask-yes-no' } | { readonly kind: 'ask-name' };

/**
 * Who may change a running service without a question. `--yes` is enough for a normal profile; a
 * production profile (`project.production: true`) needs its name typed, or `--confirm NAME` when
 * nothing can be typed. Anything else refuses: nothing is changed.
 */
export function confirmDecision(input: ConfirmInput): ConfirmDecision {
  if (input.confirm !== undefined && input.confirm !== input.profileName) {
    throw new WizardError('not-confirmed', `--confirm '${input.confirm}' is not the profile name`, `type the profile name exactly: --confirm ${input.profileName}`);
  }
  if (input.confirm === input.profileName) return { kind: 'go' };
  if (input.production) {
    if (input.interactive) return { kind: 'ask-name' };
    throw new WizardError('not-confirmed', `profile ${input.profileName} is marked production: the change needs its name typed`, `run it in a terminal, or add --confirm ${input.profileName}`);
  }
  if (input.yes) return { kind: 'go' };
  if (input.interactive) return { kind: 'ask-yes-no' };
  throw new WizardError('not-confirmed', 'the change needs a confirmation and there is no terminal to ask', 'add --yes to accept it');
}

/** The typed answer to `ask-name`: exactly the profile name (surrounding blanks ignored). */
export function nameConfirms(answer: string, profileName: string): boolean {
  return answer.trim() === profileName;
}
