import { healthOf, healthyNow } from '../plan/container-health.js';
import { quote } from '../shell/quote.js';
import { DB_LOGIN, HTTP_IN_CONTAINER, LIB_SMOKE, N8N_OWNER, TCP_IN_CONTAINER } from '../remote/generated-scripts.js';
import type { ComposeTarget, HostCheck, SmokePlan } from './checks.js';
import { judgeModelList, MODEL_LIST_PY } from './model-list.js';
import { judgeNocodbStorage, NOCODB_STORAGE_JS } from './nocodb-storage.js';
import { judgeOpenclawLitellm, OPENCLAW_LITELLM_JS } from './openclaw-litellm.js';
import type { CheckResult } from './results.js';

/**
 * The host side of the smoke checks: one shell script (src/remote/lib/smoke.sh, then one call a
 * check, its values quoted) that runs every host check and prints facts, one line each, that
 * `evaluateHost` judges in TypeScript. Database passwords arrive on the
 * script's stdin (base64, one a line, read before anything else runs) and reach psql through its
 * environment inside the container: never argv.
 */
export interface HostScript {
  /** `sh -c SCRIPT homelab-wizard-smoke CURRENT TIMEOUT_SECONDS`. */
  readonly argv: readonly string[];
  /** Vault keys whose values go on stdin, base64, one a line, in this order. */
  readonly passwordKeys: readonly string[];
}

/** Each docker call is bounded: a hung container cannot hang the smoke run. */
const EXEC_TIMEOUT_SECONDS = 30;

/** src/remote/http-in-container.sh: $1 port, $2 path; the status code, with whatever the image has. */
export { HTTP_IN_CONTAINER };

function dc(target: ComposeTarget, ...rest: string[]): string {
  return `dc ${quote([target.project, target.file, ...rest])}`;
}

function checkLine(check: HostCheck, index: number, passwordVar: string | undefined): string {
  switch (check.kind) {
    case 'container':
      return ''; // judged from the container listing
    case 'systemd':
      return `o=$(systemctl is-active ${quote([check.unit])} 2>&1); fact ${index} $? "$o"`;
    case 'command':
      return check.target
        ? `o=$(${dc(check.target, 'exec', '-T', check.target.service, ...check.argv)} 2>&1); fact ${index} $? "$o"`
        : `o=$(timeout "$smoke_timeout" ${quote(check.argv)} 2>&1); fact ${index} $? "$o"`;
    case 'http-container':
      return `o=$(${dc(check.target, 'exec', '-T', check.target.service, 'sh', '-c', HTTP_IN_CONTAINER, 'sh', String(check.port), check.path)} 2>&1); fact ${index} $? "$o"`;
    case 'tcp':
      return `o=$(${dc(check.target, 'exec', '-T', check.target.service, 'sh', '-c', TCP_IN_CONTAINER, 'sh', String(check.port))} 2>&1); fact ${index} $? "$o"`;
    case 'tls-renewal':
      return `o=$(cat ${quote([check.stateFile])} 2>&1); fact ${index} $? "$o"`;
    case 'qdrant-collections':
      return `o=$(${dc(check.target, 'exec', '-T', check.target.service, ...check.argv)} 2>&1); fact ${index} $? "$o"`;
    case 'nocodb-storage':
      return `o=$(${dc(check.target, 'exec', '-T', check.target.service, 'node', '-e', NOCODB_STORAGE_JS)} 2>&1); fact ${index} $? "$o"`;
    case 'openclaw-litellm':
      // The key is the container's own (its env file): nothing secret on the command line or stdin.
      return `o=$(${dc(check.target, 'exec', '-T', check.target.service, 'node', '--no-warnings', '-e', OPENCLAW_LITELLM_JS, check.provider)} 2>&1); fact ${index} $? "$o"`;
    case 'db-login':
      return `o=$(printf '%s' "$${passwordVar}" | ${dc(check.target, 'exec', '-T', check.target.service, 'sh', '-c', DB_LOGIN, 'sh', check.target.service, check.user, check.database)} 2>&1); fact ${index} $? "$o"`;
    case 'model-list':
      return `o=$(printf '%s\\n' "$${passwordVar}" | ${dc(check.target, 'exec', '-T', check.target.service, 'python3', '-c', MODEL_LIST_PY, String(check.port))} 2>&1); fact ${index} $? "$o"`;
    case 'n8n-owner-login':
      // src/remote/n8n-owner.sh in n8n's container: the password (base64) on its stdin, never argv.
      if (check.email === undefined) return '';
      return `o=$(printf '%s' "$${passwordVar}" | ${dc(check.target, 'exec', '-T', check.target.service, 'sh', '-c', N8N_OWNER, 'sh', 'login', check.email)} 2>&1); fact ${index} $? "$o"`;
  }
}

export function hostScript(plan: SmokePlan, current: string): HostScript {
  const passwordKeys: string[] = [];
  const reads: string[] = [];
  const lines: string[] = [];
  const projects = [...new Set(plan.checks.flatMap((c) => (c.kind === 'container' ? [c.target.project] : [])))];
  for (const p of projects) {
    // A container Docker has not checked yet: "healthy now" decides (pass/fail), as it did for the deploy.
    lines.push(`smoke_ps ${quote([p])}`);
  }
  plan.checks.forEach((check, index) => {
    if (check.kind === 'site') return;
    let variable: string | undefined;
    if (check.kind === 'db-login' || check.kind === 'model-list' || (check.kind === 'n8n-owner-login' && check.email !== undefined)) {
      variable = `pw_${passwordKeys.length}`;
      passwordKeys.push(check.passwordKey);
      reads.push(`${variable}=''; IFS= read -r ${variable} || true`);
    }
    const line = checkLine(check, index, variable);
    if (line !== '') lines.push(line);
  });
  if (plan.internalCa) {
    lines.push(`smoke_ca ${quote([plan.internalCa.project, plan.internalCa.file, plan.internalCa.service])}`);
  }
  // Passwords are read first, then stdin is closed: no later command can swallow or see them.
  // The check lines pass commands (in-container scripts among them) as quoted data.
  const script = ['# shellcheck disable=SC2016', ...reads, 'exec </dev/null', LIB_SMOKE, 'smoke_begin "$1" "$2"', ...lines].join('\n');
  return { argv: ['sh', '-c', script, 'homelab-wizard-smoke', current, String(EXEC_TIMEOUT_SECONDS)], passwordKeys };
}

/** What the script printed, parsed. */
export interface HostFacts {
  readonly deployed: boolean;
  /**
   * `project/service` → state and status text of its container; `ownTest`: while Docker says
   * `health: starting`, whether the container's own health test passed when the script ran it.
   */
  readonly containers: ReadonlyMap<string, { readonly state: string; readonly status: string; readonly ownTest?: 'pass' | 'fail' }>;
  /** Check index → exit code and output. */
  readonly outputs: ReadonlyMap<number, { readonly code: number; readonly output: string }>;
  /** Caddy's root certificate (PEM), when it was asked for and found. */
  readonly caRoot?: string;
}

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

export function parseHostFacts(stdout: string): HostFacts {
  let deployed = false;
  let caRoot: string | undefined;
  const containers = new Map<string, { state: string; status: string; ownTest?: 'pass' | 'fail' }>();
  const outputs = new Map<number, { code: number; output: string }>();
  for (const line of stdout.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'cur') deployed = f[1] === 'ok';
    else if (f[0] === 'ps' && f.length >= 5) {
      const t = f[5];
      const own: { ownTest?: 'pass' | 'fail' } = t === 'pass' || t === 'fail' ? { ownTest: t } : {};
      containers.set(`${f[1]}/${f[2]}`, { state: f[3] ?? '', status: decode(f[4] ?? ''), ...own });
    }
    else if (f[0] === 'r' && f.length >= 4) outputs.set(Number(f[1]), { code: Number(f[2]), output: decode(f[3] ?? '') });
    else if (f[0] === 'ca' && f[1] !== undefined && f[1] !== '-') caRoot = decode(f[1]);
  }
  return { deployed, containers, outputs, ...(caRoot && caRoot.includes('BEGIN CERTIFICATE') ? { caRoot } : {}) };
}

/** A short, single-line version of remote output for a reason. */
function brief(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  return last.length > 160 ? `${last.slice(0, 160)}…` : last;
}

function containerState(facts: HostFacts, target: ComposeTarget): { running: boolean; text: string } {
  const c = facts.containers.get(`${target.project}/${target.service}`);
  if (!c) return { running: false, text: 'no container' };
  return { running: c.state === 'running', text: `${c.state}: ${c.status}` };
}

/** `docker exec` of a program the image lacks (distroless images have no sh): 126/127. */
function noShell(out: { code: number; output: string }): boolean {
  return (out.code === 126 || out.code === 127) && /executable file not found|no such file or directory/i.test(out.output);
}

type Judged = Pick<CheckResult, 'status' | 'reason'>;

function judge(check: HostCheck, index: number, facts: HostFacts, missingPasswords: ReadonlySet<string>): Judged {
  const target = 'target' in check ? check.target : undefined;
  if (target && !facts.deployed) return { status: 'FAIL', reason: 'nothing deployed on this host (no current release)' };
  if (check.kind === 'container') {
    const c = facts.containers.get(`${check.target.project}/${check.target.service}`);
    if (!c) return { status: 'FAIL', reason: 'no container: not deployed, or removed' };
    if (c.state !== 'running') return { status: 'FAIL', reason: `${c.state}: ${c.status}` };
    const health = healthOf(c.status);
    if (health === 'unhealthy') return { status: 'FAIL', reason: `unhealthy: ${c.status}` };
    if (health === 'starting') {
      if (healthyNow(health, c.ownTest)) return { status: 'PASS', reason: `its own health test passes; Docker has not run its first check yet: ${c.status}` };
      return { status: 'WARN', reason: `health check still starting: ${c.status}` };
    }
    if (health === 'healthy') return { status: 'PASS', reason: c.status };
    return { status: 'PASS', reason: `${c.status} (no health check)` };
  }
  if ((check.kind === 'db-login' || check.kind === 'model-list' || check.kind === 'n8n-owner-login') && missingPasswords.has(check.passwordKey)) return { status: 'FAIL', reason: `the vault has no ${check.passwordKey}` };
  if (check.kind === 'n8n-owner-login' && check.email === undefined) return { status: 'FAIL', reason: 'the profile names no n8n owner (admins.n8nOwner)' };
  if (target) {
    const state = containerState(facts, target);
    if (!state.running) return { status: 'FAIL', reason: `container ${target.service} is not running (${state.text})` };
  }
  const out = facts.outputs.get(index);
  if (!out) return { status: 'FAIL', reason: 'the host gave no result for this check' };
  if (out.code === 124) return { status: 'FAIL', reason: `timed out after ${EXEC_TIMEOUT_SECONDS} s` };
  switch (check.kind) {
    case 'systemd':
      return out.code === 0 ? { status: 'PASS', reason: 'active' } : { status: 'FAIL', reason: `${check.unit} is ${brief(out.output) || 'not active'}` };
    case 'command':
      if (out.code === 0 && out.output.includes(check.expect)) return { status: 'PASS', reason: `'${check.expect}'` };
      return { status: 'FAIL', reason: `expected '${check.expect}', got ${brief(out.output) ? `'${brief(out.output)}'` : 'nothing'} (exit ${out.code})` };
    case 'http-container': {
      if (out.code === 3 || noShell(out)) return { status: 'SKIP', reason: noShell(out) ? 'the image has no shell to run the check in' : brief(out.output) };
      const status = Number(brief(out.output));
      if (check.expectStatus.includes(status)) return { status: 'PASS', reason: `status ${status}` };
      return { status: 'FAIL', reason: `expected ${check.expectStatus.join(' or ')}, got ${brief(out.output) || 'no answer'}` };
    }
    case 'tcp':
      if (out.code === 3 || noShell(out)) return { status: 'SKIP', reason: noShell(out) ? 'the image has no shell to run the check in' : brief(out.output) };
      return out.code === 0 ? { status: 'PASS', reason: `port ${check.port} open` } : { status: 'FAIL', reason: `port ${check.port} refused (${brief(out.output) || `exit ${out.code}`})` };
    case 'tls-renewal': {
      if (out.code !== 0) return { status: 'FAIL', reason: 'no renewal has run on this host yet (run `homelab-wizard apply`)' };
      const field = (key: string): string => out.output.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1) ?? '?';
      if (field('result') === 'ok') return { status: 'PASS', reason: `renewed or checked at ${field('at')}; certificate valid until ${field('served_until')}` };
      return { status: 'WARN', reason: `last renewal failed at ${field('at')}: ${field('message')}; still serving the certificate valid until ${field('served_until')}` };
    }
    case 'model-list':
      return judgeModelList(check.expected, out.code, out.output);
    case 'qdrant-collections': {
      // The script's own lines say what is missing or different (or why Qdrant did not answer).
      const lines = out.output.split('\n').map((l) => l.trim()).filter(Boolean);
      if (out.code === 0) return { status: 'PASS', reason: lines.at(-1) ?? `present: ${check.collections.join(', ')}` };
      if (out.code === 3 || noShell(out)) return { status: 'FAIL', reason: 'the Qdrant container has no shell (or no bash) to ask its API from' };
      return { status: 'FAIL', reason: lines.slice(-5).join('; ') || `exit ${out.code}` };
    }
    case 'nocodb-storage':
      return judgeNocodbStorage(check.bucket, out.code, out.output);
    case 'openclaw-litellm':
      if (noShell(out)) return { status: 'FAIL', reason: "OpenClaw's container has no node to run the check with" };
      return judgeOpenclawLitellm(check, out.code, out.output);
    case 'db-login':
      if (out.code === 0 && out.output.trim() === check.user) return { status: 'PASS', reason: `logged in as ${check.user}` };
      return { status: 'FAIL', reason: brief(out.output) || `psql exit ${out.code}` };
    case 'n8n-owner-login':
      if (out.code === 0 && brief(out.output) === 'ok') return { status: 'PASS', reason: `${check.email} logged in` };
      return { status: 'FAIL', reason: brief(out.output) || `exit ${out.code}` };
  }
}

/** Every host check of the plan judged from the facts, in plan order. */
export function evaluateHost(plan: SmokePlan, facts: HostFacts, missingPasswords: ReadonlySet<string> = new Set()): CheckResult[] {
  return plan.checks.flatMap((check, index): CheckResult[] =>
    check.kind === 'site' ? [] : [{ id: check.id, service: check.service, where: 'host', describe: check.describe, ...judge(check, index, facts, missingPasswords) }],
  );
}

/** The host could not be asked at all: every host check gets the same verdict. */
export function hostUnavailable(plan: SmokePlan, status: 'FAIL' | 'SKIP', reason: string): CheckResult[] {
  return plan.checks.flatMap((c): CheckResult[] => (c.kind === 'site' ? [] : [{ id: c.id, service: c.service, where: 'host', describe: c.describe, status, reason }]));
}
