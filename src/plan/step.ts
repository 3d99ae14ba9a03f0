import type { Secret } from '../lib/secret.js';
import type { Command } from './command.js';

export type Risk = 'safe' | 'disruptive' | 'destructive';

/** A file a step keeps in place. Uploaded when its sha256, mode or owner differ on the host. */
export interface FileSpec {
  /** Absolute path on the host; its folder must exist (uploads never create folders). */
  readonly path: string;
  /** Octal, four digits: '0644'. */
  readonly mode: string;
  /** 'user:group'. */
  readonly owner: string;
  /** A Secret content is written with the mode given (use 0600) and never shown in a diff. */
  readonly content: string | Secret;
}

/** A folder a step keeps in place, created or fixed with `install -d` when missing or different. */
export interface DirSpec {
  readonly path: string;
  /** Octal, four digits: '0750'. */
  readonly mode: string;
  /** 'user:group'. */
  readonly owner: string;
}

/**
 * One remote operation, as pure data (DESIGN §3). Converged ⇔ `check` exits 0 (or is null) and
 * every folder and file matches. `effect` picks the plan symbol when the check fails: `+` create (the default
 * when every file is new), `~` update, `-` delete.
 */
export interface Step {
  /** `<phase>.<area>.<thing>`, stable: it appears in plans, logs, JSON output and `--only`. */
  readonly id: string;
  readonly describe: string;
  readonly host: string;
  readonly check: Command | null;
  /**
   * The check prints one line per thing that is not converged (`n8n: …`): `plan` and `status`
   * show those lines, not just its exit code. Without it, the check's output is not read.
   */
  readonly checkReports?: boolean;
  /** Folders, made before the files (which may live in them). */
  readonly dirs?: readonly DirSpec[];
  readonly files?: readonly FileSpec[];
  readonly apply: readonly Command[];
  /** Must exit 0 after apply, e.g. `sshd -t`. */
  readonly verify?: Command;
  readonly risk: Risk;
  readonly effect?: 'create' | 'update' | 'delete';
  /**
   * A dead-man switch for changes that could cut the operator off (firewall, sshd): armed on the
   * host before the step changes anything, it runs `revert` after `seconds` unless the step
   * finishes with access proven; on a failed proof it runs at once. `keepIf`: a command that must
   * also pass before a later run keeps a change it finds guarded (`sshd -t` for sshd steps).
   */
  readonly guard?: { readonly seconds: number; readonly revert: readonly Command[]; readonly keepIf?: Command };
  /**
   * After apply and verify, a second, new SSH connection must log in: as the run's own user on the
   * port in use (`current`), or as `user` on `port`. Until it does, the step has not succeeded.
   */
  readonly prove?: ProveTarget;
  /**
   * A login that must already work BEFORE the step changes anything (e.g. SSH through the VPN
   * before SSH is restricted to it). When it does not, the step refuses with `hint`: nothing changed.
   */
  readonly precondition?: { readonly prove: ProveTarget; readonly hint: string };
}

/**
 * Where a proof logs in: the run's own login, or `user` on `port` at the host's address, or at its
 * VPN address (`network: 'vpn'`, read from the host with `tailscale ip -4` when the proof runs).
 */
export type ProveTarget = 'current' | { readonly port: number; readonly user: string; readonly network?: 'vpn' };

/** The phase a step belongs to: the first segment of its id. */
export function stepPhase(step: Pick<Step, 'id'>): string {
  return step.id.split('.')[0] ?? step.id;
}

/** The mode of a file spec as a number, for comparison with what `stat` reports. */
export function modeBits(mode: string): number {
  return Number.parseInt(mode, 8);
}
