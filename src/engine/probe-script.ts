import { WizardError } from '../errors.js';
import type { DirFacts, FileFacts, StepFacts } from '../plan/facts.js';
import type { AuditEntry, LockInfo } from '../plan/host-state.js';
import type { ContainerFacts, InventoryFacts } from '../plan/inventory.js';
import { quote, quoteToken } from '../shell/quote.js';
import { LIB_PROBE } from '../remote/generated-scripts.js';
import { COMPOSE_FILES } from '../render/release-manifest.js';
import type { GuardFacts } from '../plan/guard-facts.js';
import { guardDir, guardUnitPrefix, parseGuardMeta } from './guards.js';
import type { LockOutcome, LockRequest, ProbeReport, ProbeRequest } from './runner.js';

/**
 * The remote side of the planner: ONE POSIX sh script per host and run that runs every check and
 * hashes every file, because each separate remote command costs a round trip (10-100 ms, plus the
 * remote ~/.bashrc). Runs as root, reads its script from stdin (`sh -s`), and reports on lines
 * starting with MARK, so whatever a login script prints cannot be mistaken for a result. The
 * logic is src/remote/lib/probe.sh; this module adds one call per check, file and folder, its
 * values quoted by quoteToken(), or base64-encoded when they are free text.
 */
export const MARK = '@@hlw';
/** Files up to this size are sent back for a diff when their hash differs. */
export const MAX_DIFF_BYTES = 256 * 1024;
/** A check that hangs must not hang the plan. */
export const CHECK_TIMEOUT_S = 120;
/** Lines of a reporting check's output sent back: enough for one line per service. */
export const CHECK_REPORT_LINES = 40;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function prelude(project: string): string[] {
  return [
    // The calls after the library pass check commands (scripts among them) as quoted data.
    '# shellcheck disable=SC2016',
    'set -u',
    'export LC_ALL=C',
    LIB_PROBE,
    `probe_begin ${quoteToken(project)}`,
  ];
}

function probeBody(request: ProbeRequest, reportLock: boolean): string[] {
  const lines: string[] = [];
  lines.push(
    `probe_host_state ${reportLock ? 1 : 0}`,
    `probe_guards ${quoteToken(guardDir(request.project))} ${quoteToken(guardUnitPrefix(request.project))}`,
  );
  request.steps.forEach((step, i) => {
    // A reporting check's output goes back base64 on one line: it cannot pass for a MARK line.
    if (step.check !== null) lines.push(`${step.report === true ? 'kr' : 'k'} ${i} ${quote(step.check.argv)}`);
    (step.dirs ?? []).forEach((dir, j) => lines.push(`d ${i} ${j} ${quoteToken(dir)}`));
    step.files.forEach((file, j) => lines.push(`f ${i} ${j} ${quoteToken(file.path)} ${file.sha256} ${file.secret ? 1 : 0}`));
  });
  if (request.inventory) lines.push(`probe_inventory "$P" ${request.inventory.composeProjects.map(quoteToken).join(' ')}`, ...(request.inventory.releases ? ['probe_releases "$P"'] : []), 'e inventory-end');
  lines.push('e end');
  return lines;
}

/** The read-only probe of `plan` and `status`. */
export function probeScript(request: ProbeRequest): string {
  return [...prelude(request.project), ...probeBody(request, true), ''].join('\n');
}

/** `apply`: create the project folder, take the lock (or report who holds it), then probe. */
export function lockAndProbeScript(request: ProbeRequest, lock: LockRequest): string {
  const info = JSON.stringify(lock.info);
  const lines = [
    ...prelude(request.project),
    'probe_make_project',
  ];
  if (lock.takeOver !== undefined) {
    // Break only the lock the operator saw: if another run took it meanwhile, it is not replaced.
    lines.push(`probe_break_lock ${quoteToken(lock.takeOver === '' ? '' : `"runId":${JSON.stringify(lock.takeOver)}`)}`);
  }
  lines.push(
    `probe_take_lock ${b64(info)}`,
    ...probeBody(request, false),
    '',
  );
  return lines.join('\n');
}

/** `apply`, at the end: one audit line, then release the lock if it is still this run's. */
export function finishScript(project: string, audit: AuditEntry, runId: string): string {
  return [
    ...prelude(project),
    `probe_finish ${b64(`${JSON.stringify(audit)}\n`)} ${quoteToken(`"runId":${JSON.stringify(runId)}`)}`,
    'e end',
    '',
  ].join('\n');
}

function decode(text: string | undefined): string {
  return Buffer.from(text ?? '', 'base64').toString('utf8');
}

function parseLock(encoded: string | undefined): LockInfo | { unreadable: string } {
  const text = decode(encoded).trim();
  if (text === '') return { unreadable: 'the lock has no owner information (lock/info.json is missing or empty)' };
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.runId === 'string' && typeof v.owner === 'string' && typeof v.operatorHost === 'string' && typeof v.pid === 'number' && typeof v.startedAt === 'string') {
      return { runId: v.runId, owner: v.owner, operatorHost: v.operatorHost, pid: v.pid, startedAt: v.startedAt, command: typeof v.command === 'string' ? v.command : '' };
    }
  } catch {
    // fall through: reported as unreadable below
  }
  return { unreadable: `lock/info.json is not a homelab-wizard lock: ${text.slice(0, 120)}` };
}

function parseAudit(encoded: string | undefined): AuditEntry | undefined {
  const text = decode(encoded).trim();
  if (text === '') return undefined;
  try {
    const v = JSON.parse(text) as AuditEntry;
    return typeof v.at === 'string' && typeof v.result === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export class ProbeProtocolError extends WizardError {
  constructor(host: string, what: string, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    super('remote-protocol', `${host}: the probe script ${what}${tail ? ` (stderr: ${tail})` : ''}`, 'the host needs a POSIX sh with coreutils (sha256sum, stat, base64, timeout); run again with --verbose for the full output');
    this.name = 'ProbeProtocolError';
  }
}

/** Read the MARK lines of a probe's output back into facts, checking that every answer came. */
export function parseProbeOutput(host: string, request: ProbeRequest, stdout: string, stderr: string): { lock?: LockOutcome; report?: ProbeReport; failure?: string } {
  const checks = new Map<number, number>();
  const says = new Map<number, string[]>();
  const files = new Map<string, FileFacts>();
  const dirs = new Map<string, DirFacts>();
  const contents = new Map<string, string>();
  const tooLarge = new Set<string>();
  let begun = false;
  let ended = false;
  let failure: string | undefined;
  let lockLine: LockOutcome | undefined;
  let replaced: LockInfo | { unreadable: string } | undefined;
  let foundLock: LockInfo | { unreadable: string } | undefined;
  let lastAudit: AuditEntry | undefined;
  const guards: GuardFacts[] = [];
  const containers: ContainerFacts[] = [];
  const currentFiles: { path: string; sha256: string }[] = [];
  let docker = true;
  let stateJson: string | null = null;
  let current: string | null = null;
  let inventoryEnded = false;
  let clock: number | undefined;
  let history: string | undefined;
  const releases = new Map<string, { id: string; mtime: number; manifest: string | null; compose: { infra?: string; apps?: string } }>();
  for (const raw of stdout.split('\n')) {
    if (!raw.startsWith(`${MARK} `)) continue;
    const parts = raw.slice(MARK.length + 1).split(' ');
    const [kind, a, b, c] = parts;
    switch (kind) {
      case 'begin': begun = true; break;
      case 'end': ended = true; break;
      case 'fail': failure = parts.slice(1).join(' '); break;
      case 'acquired': lockLine = { acquired: true, ...(replaced ? { replaced } : {}) }; break;
      case 'replaced': replaced = parseLock(a); break;
      case 'held': lockLine = { acquired: false, holder: parseLock(a) }; break;
      case 'lock': foundLock = parseLock(a); break;
      case 'audit': lastAudit = parseAudit(a); break;
      case 'guard': {
        const meta = c === '-' || c === undefined ? undefined : parseGuardMeta(c);
        guards.push({ unit: decode(a), path: decode(b), ...(meta ? { meta } : {}), timer: parts[4] ?? 'unknown', service: parts[5] ?? 'unknown', age: Number(parts[6] ?? 0) || 0 });
        break;
      }
      case 'check': {
        checks.set(Number(a), Number(b));
        const lines = c === undefined ? [] : decode(c).split('\n').map((l) => l.trim()).filter((l) => l !== '');
        if (lines.length > 0) says.set(Number(a), lines);
        break;
      }
      case 'dir': {
        const key = `${a} ${b}`;
        if (c === 'absent') dirs.set(key, { state: 'absent' });
        else if (c === 'other') dirs.set(key, { state: 'not-a-dir' });
        else if (c === 'present') dirs.set(key, { state: 'present', mode: Number.parseInt(parts[4] ?? '0', 8), owner: parts[5] ?? '' });
        break;
      }
      case 'content': contents.set(`${a} ${b}`, decode(c)); break;
      case 'content-too-large': tooLarge.add(`${a} ${b}`); break;
      case 'ctr': {
        const [service = '', image = '', state = '', status = '', id = '', inputs = '', own] = decode(b).split('\t');
        containers.push({ project: a ?? '', service, image, state, status, ...(own === 'pass' || own === 'fail' ? { ownTest: own } : {}), ...(id ? { id } : {}), ...(inputs ? { inputs } : {}) });
        break;
      }
      case 'nodocker': docker = false; break;
      case 'state': stateJson = decode(a); break;
      case 'current': current = decode(a).trim(); break;
      case 'cfile': currentFiles.push({ sha256: a ?? '', path: decode(b) }); break;
      case 'inventory-end': inventoryEnded = true; break;
      case 'clock': clock = Number(a); break;
      case 'release': releases.set(a ?? '', { id: a ?? '', mtime: Number(b) || 0, manifest: c ? decode(c) : null, compose: {} }); break;
      case 'rcompose': {
        const r = releases.get(a ?? '');
        if (r && b === COMPOSE_FILES.infra) r.compose.infra = decode(c);
        if (r && b === COMPOSE_FILES.apps) r.compose.apps = decode(c);
        break;
      }
      case 'history': history = decode(a); break;
      case 'file': {
        const key = `${a} ${b}`;
        if (c === 'absent') files.set(key, { state: 'absent' });
        else if (c === 'other' || c === 'unreadable') files.set(key, { state: 'not-a-file' });
        else if (c === 'present') {
          const [, , , , sha, mode, owner, size] = parts;
          files.set(key, { state: 'present', sha256: sha ?? '', mode: Number.parseInt(mode ?? '0', 8), owner: owner ?? '', size: Number(size ?? 0) });
        }
        break;
      }
      default: break;
    }
  }
  if (!begun) throw new ProbeProtocolError(host, 'did not start', stderr);
  if (failure !== undefined) return { failure };
  if (lockLine && !lockLine.acquired) return { lock: lockLine };
  if (!ended) throw new ProbeProtocolError(host, 'stopped before the end', stderr);
  const steps: StepFacts[] = request.steps.map((step, i) => {
    const checkExit = step.check === null ? null : checks.get(i);
    if (checkExit === undefined || Number.isNaN(checkExit)) throw new ProbeProtocolError(host, `gave no result for the check of step ${i}`, stderr);
    const stepDirs = (step.dirs ?? []).map((_, j): DirFacts => {
      const facts = dirs.get(`${i} ${j}`);
      if (!facts) throw new ProbeProtocolError(host, `gave no result for folder ${j} of step ${i}`, stderr);
      return facts;
    });
    const said = checkExit !== 0 ? says.get(i) : undefined;
    return {
      checkExit,
      ...(said ? { checkSays: said } : {}),
      ...(stepDirs.length > 0 ? { dirs: stepDirs } : {}),
      files: step.files.map((_, j): FileFacts => {
        const key = `${i} ${j}`;
        const facts = files.get(key);
        if (!facts) throw new ProbeProtocolError(host, `gave no result for file ${j} of step ${i}`, stderr);
        if (facts.state !== 'present') return facts;
        const content = contents.get(key);
        return { ...facts, ...(content !== undefined ? { content } : {}), ...(tooLarge.has(key) ? { tooLarge: true } : {}) };
      }),
    };
  });
  if (request.inventory && !inventoryEnded) throw new ProbeProtocolError(host, 'gave no inventory of containers and files', stderr);
  const asked = request.inventory?.releases === true ? { releases: [...releases.values()], ...(history !== undefined ? { history } : {}), ...(clock !== undefined && !Number.isNaN(clock) ? { clock } : {}) } : {};
  const inventory: InventoryFacts | undefined = request.inventory ? { docker, containers, stateJson, current, files: current === null ? null : currentFiles, ...asked } : undefined;
  const report: ProbeReport = { steps, ...(foundLock ? { lock: foundLock } : {}), ...(lastAudit ? { lastAudit } : {}), ...(guards.length > 0 ? { guards } : {}), ...(inventory ? { inventory } : {}) };
  return { ...(lockLine ? { lock: lockLine } : {}), report };
}
