/**
 * The planned fate of one step on one host, Terraform-style: a closed set of actions with symbols.
 * `=` converged, `+` create, `~` update, `-` delete, `?` unknown until an earlier phase runs (the
 * host does not exist yet).
 */
export type Action = '=' | '+' | '~' | '-' | '?';

export type FileAction = 'same' | 'create' | 'update';

export interface FileChange {
  readonly path: string;
  readonly action: FileAction;
  readonly secret: boolean;
  /** Size of the content the plan would write. */
  readonly bytes: number;
  /** Why the file changes: content, mode, owner, or 'missing'. */
  readonly reasons: readonly string[];
  /** Unified diff of non-secret content (absent for secrets, new files, and unchanged content). */
  readonly diff?: string;
}

export interface DirChange {
  readonly path: string;
  readonly action: FileAction;
  readonly mode: string;
  readonly owner: string;
  /** 'missing', 'not a folder', 'mode 0700 → 0755', 'owner …'. */
  readonly reasons: readonly string[];
}

export interface StepChange {
  readonly id: string;
  readonly phase: string;
  readonly describe: string;
  readonly risk: 'safe' | 'disruptive' | 'destructive';
  readonly action: Action;
  /** Why it changes: 'check failed', 'file changed', ... Empty when converged. */
  readonly reasons: readonly string[];
  readonly dirs?: readonly DirChange[];
  readonly files: readonly FileChange[];
}
