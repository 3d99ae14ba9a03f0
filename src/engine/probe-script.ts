import { WizardError } from '../errors.js';
import type { DirFacts, FileFacts, StepFacts } from '../plan/facts.js';
import type { AuditEntry, LockInfo } from '../plan/host-state.js';
import type { ContainerFacts, InventoryFacts } from '../plan/inventory.js';
import { quote, quoteToken } from '../shell/quote.js';
import { HEALTH_GATE } from '../steps/deploy/health-gate.js';
import { INPUTS_LABEL } from '../render/compose.js';
import { COMPOSE_FILES, MANIFEST_FILE } from '../render/release-manifest.js';
import type { GuardFacts } from '../plan/guard-facts.js';
import { GUARD_HEADER, guardDir, guardUnitPrefix, parseGuardMeta } from './guards.js';
import type { LockOutcome, LockRequest, ProbeReport, ProbeRequest } from './runner.js';

/**
 * The remote side of the planner: ONE POSIX sh script per host and run that runs every check and
 * hashes every file, because each separate remote command costs a round trip (10-100 ms, plus the
 * remote ~/.bashrc). Runs as root, reads its script from stdin (`sh -s`), and reports on lines
 * starting with MARK, so whatever a login script prints cannot be mistaken for a result.
 * Values are spliced in quoted by quoteToken(), or base64-encoded when they are free text.
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
    'set -u',
    'export LC_ALL=C',
    `e() { printf '${MARK} %s\\n' "$*"; }`,
    `P=${quoteToken(project)}`,
    'L="$P/lock"',
    'e begin',
  ];
}

function probeBody(request: ProbeRequest, reportLock: boolean): string[] {
  const lines: string[] = [];
  if (reportLock) lines.push('if [ -d "$L" ]; then e "lock $(base64 -w0 -- "$L/info.json" 2>/dev/null)"; fi');
  lines.push(
    'if [ -f "$P/audit.log" ]; then e "audit $(tail -n 1 -- "$P/audit.log" | base64 -w0)"; fi',
    ...guardsBody(request.project),
    // step file path expected-sha256 secret(0|1)
    'f() {',
    '  if [ -L "$3" ] || { [ -e "$3" ] && [ ! -f "$3" ]; }; then e "file $1 $2 other"; return; fi',
    '  if [ ! -e "$3" ]; then e "file $1 $2 absent"; return; fi',
    '  s=$(sha256sum -- "$3" 2>/dev/null) || { e "file $1 $2 unreadable"; return; }',
    '  s=${s%% *}',
    // Owner by name and by id: data folders belong to container uids that have no name on the host.
    "  m=$(stat -c '%a %U:%G/%u:%g %s' -- \"$3\")",
    '  e "file $1 $2 present $s $m"',
    '  if [ "$s" != "$4" ] && [ "$5" = 0 ]; then',
    `    if [ "\${m##* }" -le ${MAX_DIFF_BYTES} ]; then printf '${MARK} content %s %s ' "$1" "$2"; base64 -w0 -- "$3"; printf '\\n'; else e "content-too-large $1 $2"; fi`,
    '  fi',
    '}',
    // step dir path
    'd() {',
    '  if [ -L "$3" ] || { [ -e "$3" ] && [ ! -d "$3" ]; }; then e "dir $1 $2 other"',
    '  elif [ -d "$3" ]; then e "dir $1 $2 present $(stat -c \'%a %U:%G/%u:%g\' -- "$3")"',
    '  else e "dir $1 $2 absent"; fi',
    '}',
  );
  request.steps.forEach((step, i) => {
    if (step.check !== null && step.report === true) {
      // Base64 on one line: whatever the check prints cannot pass for a MARK line.
      lines.push(`o=$( ( timeout ${CHECK_TIMEOUT_S} ${quote(step.check.argv)} ) </dev/null 2>/dev/null ); r=$?; e "check ${i} $r $(printf '%s\\n' "$o" | head -n ${CHECK_REPORT_LINES} | base64 -w0)"`);
    } else if (step.check !== null) lines.push(`( timeout ${CHECK_TIMEOUT_S} ${quote(step.check.argv)} ) </dev/null >/dev/null 2>&1; e "check ${i} $?"`);
    (step.dirs ?? []).forEach((dir, j) => lines.push(`d ${i} ${j} ${quoteToken(dir)}`));
    step.files.forEach((file, j) => lines.push(`f ${i} ${j} ${quoteToken(file.path)} ${file.sha256} ${file.secret ? 1 : 0}`));
  });
  if (request.inventory) lines.push(...inventoryBody(request.inventory.composeProjects), ...(request.inventory.releases ? releasesBody() : []), 'e inventory-end');
  lines.push('e end');
  return lines;
}

/**
 * Every guard of the project (a revert script in its guards folder): its header, whether its timer
 * still waits, whether its revert runs right now, and its age by the host's clock.
 */
function guardsBody(project: string): string[] {
  const header = GUARD_HEADER.trim().replace(/[/\\&]/g, '\\$&');
  return [
    `for g in ${quoteToken(guardDir(project))}/*.sh; do`,
    '  [ -f "$g" ] || continue',
    '  n=${g##*/}; n=${n%.sh}',
    `  u=${quoteToken(guardUnitPrefix(project))}"$n"`,
    `  m=$(sed -n 's/^${header} //p' -- "$g" | head -n 1)`,
    '  t=$(systemctl is-active -- "$u.timer" 2>/dev/null); s=$(systemctl is-active -- "$u.service" 2>/dev/null)',
    '  a=$(( $(date +%s) - $(stat -c %Y -- "$g") ))',
    '  e "guard $(printf %s "$u" | base64 -w0) $(printf %s "$g" | base64 -w0) ${m:--} ${t:-unknown} ${s:-unknown} $a"',
    'done',
  ];
}

/**
 * What runs and what is deployed, for `status`: each container of the compose projects (service,
 * image, state, status), state.json, the `current` link and the sha256 of every file under it.
 * Free text goes back base64-encoded, so no value can break the line protocol.
 */
function inventoryBody(composeProjects: readonly string[]): string[] {
  const format = `{{.Label "com.docker.compose.service"}}\t{{.Image}}\t{{.State}}\t{{.Status}}\t{{.ID}}\t{{.Label "${INPUTS_LABEL}"}}`;
  return [
    HEALTH_GATE,
    'if command -v docker >/dev/null 2>&1 && timeout 30 docker version >/dev/null 2>&1; then',
    `  for pr in ${composeProjects.map(quoteToken).join(' ')}; do`,
    // A container Docker has not checked yet: its own health test decides, as in the deploy's gate.
    `    timeout 30 docker ps -a --filter "label=com.docker.compose.project=$pr" --format ${quoteToken(format)} 2>/dev/null | while IFS= read -r l; do`,
    '      t=-',
    `      case "$l" in *'(health: starting)'*) if (set +u; hlw_gate "$pr" 0 "$(printf %s "$l" | cut -f1)") >/dev/null 2>&1; then t=pass; else t=fail; fi ;; esac`,
    `      e "ctr $pr $(printf '%s\t%s' "$l" "$t" | base64 -w0)"`,
    '    done',
    '  done',
    'else e nodocker; fi',
    'if [ -f "$P/state.json" ]; then e "state $(base64 -w0 -- "$P/state.json")"; fi',
    'if [ -L "$P/current" ]; then',
    '  e "current $(readlink -- "$P/current" | base64 -w0)"',
    '  if [ -d "$P/current/" ]; then (cd "$P/current/" && find . -type f -exec sha256sum -- {} + 2>/dev/null) | while read -r s n; do e "cfile $s $(printf %s "${n#./}" | base64 -w0)"; done; fi',
    'fi',
  ];
}

/**
 * What day-2 commands build on: every release folder with its release.json and compose files
 * (never its env files: they hold secrets), the history of switches, and the host's clock.
 */
function releasesBody(): string[] {
  return [
    'e "clock $(date +%s)"',
    'for r in "$P"/releases/*/; do',
    '  [ -d "$r" ] || continue',
    '  i=$(basename -- "$r")',
    `  e "release $i $(stat -c %Y -- "$r") $(base64 -w0 -- "\${r}${MANIFEST_FILE}" 2>/dev/null)"`,
    `  for c in ${COMPOSE_FILES.infra} ${COMPOSE_FILES.apps}; do [ -f "$r$c" ] && e "rcompose $i $c $(base64 -w0 -- "$r$c")"; done`,
    'done',
    'if [ -f "$P/history.jsonl" ]; then e "history $(tail -n 500 -- "$P/history.jsonl" | base64 -w0)"; fi',
  ];
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
    '[ -d "$P" ] || install -d -m 0755 -o root -g root -- "$P" || { e "fail cannot create $P"; exit 0; }',
  ];
  if (lock.takeOver !== undefined) {
    // Break only the lock the operator saw: if another run took it meanwhile, it is not replaced.
    const same = lock.takeOver === '' ? '! grep -qF \'"runId":\' "$L/info.json" 2>/dev/null' : `grep -qF -- ${quoteToken(`"runId":${JSON.stringify(lock.takeOver)}`)} "$L/info.json" 2>/dev/null`;
    lines.push(`if [ -d "$L" ] && ${same}; then e "replaced $(base64 -w0 -- "$L/info.json" 2>/dev/null)"; rm -rf -- "$L"; fi`);
  }
  lines.push(
    `if mkdir -- "$L" 2>/dev/null; then printf %s ${b64(info)} | base64 -d > "$L/info.json"; e acquired; else e "held $(base64 -w0 -- "$L/info.json" 2>/dev/null)"; e end; exit 0; fi`,
    ...probeBody(request, false),
    '',
  );
  return lines.join('\n');
}

/** `apply`, at the end: one audit line, then release the lock if it is still this run's. */
export function finishScript(project: string, audit: AuditEntry, runId: string): string {
  return [
    ...prelude(project),
    `printf %s ${b64(`${JSON.stringify(audit)}\n`)} | base64 -d >> "$P/audit.log" && chmod 0640 -- "$P/audit.log" || e "fail cannot write $P/audit.log"`,
    `if grep -qF -- ${quoteToken(`"runId":${JSON.stringify(runId)}`)} "$L/info.json" 2>/dev/null; then rm -rf -- "$L" && e released; else e not-ours; fi`,
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
