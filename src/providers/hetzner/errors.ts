import { WizardError } from '../../errors.js';

/** An error answer of the Hetzner API: HTTP status plus its `error.code` (apis.md §1.2). */
export class HcloudError extends WizardError {
  readonly status: number;
  readonly apiCode: string;
  readonly details: unknown;

  constructor(status: number, apiCode: string, message: string, hint: string, details: unknown = null) {
    super('provider-error', `Hetzner API: ${message} (${apiCode}, HTTP ${status})`, hint);
    this.name = 'HcloudError';
    this.status = status;
    this.apiCode = apiCode;
    this.details = details;
  }
}

export function hintFor(apiCode: string): string {
  switch (apiCode) {
    case 'unauthorized':
      return 'check hetzner.token in the vault: `homelab-wizard secrets set hetzner.token`';
    case 'token_readonly':
      return 'the token is read-only: create a Read & Write token in the Hetzner Console and store it with `homelab-wizard secrets set hetzner.token`';
    case 'resource_limit_exceeded':
      return 'your Hetzner project reached a limit: raise it in the Console, or remove unused servers';
    case 'uniqueness_error':
      return 'a resource with that name exists but is not managed by this profile: rename or delete it in the Console';
    default:
      return 'run again later; if it persists, check https://status.hetzner.com';
  }
}
