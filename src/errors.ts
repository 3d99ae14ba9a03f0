/**
 * The one error base class. Every failure a user can see is a WizardError with a stable `code`,
 * a one-line `message` (what happened) and a one-line `hint` (what to do next).
 * `main.ts` prints exactly those two lines; the cause chain only with --verbose.
 */
export type ErrorCode =
  | 'usage'
  | 'profile-not-found'
  | 'profile-ambiguous'
  | 'profile-invalid'
  | 'profile-unreadable'
  | 'profile-too-new'
  | 'vault-error'
  | 'vault-missing'
  | 'vault-exists'
  | 'vault-not-recipient'
  | 'vault-corrupt'
  | 'vault-locked'
  | 'vault-invalid'
  | 'vault-replica'
  | 'identity-missing'
  | 'identity-invalid'
  | 'identity-exists'
  | 'recipient-invalid'
  | 'secret-unknown'
  | 'secret-invalid'
  | 'secret-immutable'
  | 'editor-failed'
  | 'secret-missing'
  | 'ssh-connect'
  | 'ssh-auth'
  | 'ssh-identity'
  | 'ssh-host-key-unknown'
  | 'ssh-host-key-changed'
  | 'ssh-exec'
  | 'remote-protocol'
  | 'step-failed'
  | 'not-converged'
  | 'access-unproven'
  | 'vpn-hub'
  | 'guard-failed'
  | 'destructive-refused'
  | 'lock-held'
  | 'plan-stale'
  | 'plan-unreadable'
  | 'provider-error'
  | 'aborted'
  | 'sandbox-docker'
  | 'sandbox-build'
  | 'sandbox-server'
  | 'sandbox-usage'
  | 'release-unknown'
  | 'service-unknown'
  | 'release-legacy'
  | 'not-confirmed'
  | 'redeploy-failed'
  | 'template-invalid'
  | 'template-unknown'
  | 'template-value'
  | 'internal';

export class WizardError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  /** Process exit code this error maps to (1 unless it is an abort). */
  readonly exitCode: number;
  /** Problems listed one per line between the message and the hint (a profile's fields, a vault's lines). */
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, message: string, hint: string, options?: { cause?: unknown; exitCode?: number; issues?: readonly Issue[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WizardError';
    this.code = code;
    this.hint = hint;
    this.exitCode = options?.exitCode ?? 1;
    this.issues = options?.issues ?? [];
  }
}

/** One problem found while validating a profile or an answers file, tagged with its path. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export class ProfileError extends WizardError {
  constructor(source: string, issues: readonly Issue[], hint = 'fix the fields above, then run `homelab-wizard profile check` again') {
    super('profile-invalid', `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'} found`, hint, { issues });
    this.name = 'ProfileError';
  }
}

export class UserAbortError extends WizardError {
  constructor(message = 'aborted by the user') {
    super('aborted', message, 'nothing was changed; run the command again when ready', { exitCode: 130 });
    this.name = 'UserAbortError';
  }
}
