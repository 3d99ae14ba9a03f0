/** The flags every command takes (DESIGN §1). */
export interface GlobalOptions {
  readonly profile?: string;
  readonly dir: string;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly yes: boolean;
  /** Never prompt. Implied when stdin or stdout is not a terminal, and by CI. */
  readonly nonInteractive: boolean;
}
