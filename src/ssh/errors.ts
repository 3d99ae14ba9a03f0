import { WizardError, type ErrorCode } from '../errors.js';

/** A failure to reach or use a host over SSH. `host` is the profile's host name. */
export class SshError extends WizardError {
  readonly host: string;

  constructor(code: ErrorCode, host: string, message: string, hint: string, cause?: unknown) {
    super(code, `${host}: ${message}`, hint, cause === undefined ? undefined : { cause });
    this.name = 'SshError';
    this.host = host;
  }
}
