/** What the probe found for one file of a step. */
export type FileFacts =
  | { readonly state: 'absent' }
  | { readonly state: 'not-a-file' }
  | {
      readonly state: 'present';
      readonly sha256: string;
      /** Permission bits as a number (stat %a read as octal). */
      readonly mode: number;
      readonly owner: string;
      readonly size: number;
      /** Current content, sent only for non-secret files whose hash differs. */
      readonly content?: string;
      /** The file differs but is too large to send for a diff. */
      readonly tooLarge?: boolean;
    };

/** What the probe found for one folder of a step. */
export type DirFacts = { readonly state: 'absent' } | { readonly state: 'not-a-dir' } | { readonly state: 'present'; readonly mode: number; readonly owner: string };

/** What the probe found for one step: the check's exit code (null: no check), each folder and each file. */
export interface StepFacts {
  readonly checkExit: number | null;
  /** What a failing check said is not converged, one item a line (steps with `checkReports` only). */
  readonly checkSays?: readonly string[];
  readonly dirs?: readonly DirFacts[];
  readonly files: readonly FileFacts[];
}
