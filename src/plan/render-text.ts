import path from 'node:path';
import type { StepChange } from './change.js';
import { guardFoundText } from './guard-facts.js';
import type { HostPlan, Plan } from './plan.js';
import { summarize } from './plan.js';

export interface RenderOptions {
  /** Also list converged (`=`) steps. */
  readonly verbose?: boolean;
  readonly color?: boolean;
  /** Folder that override paths are shown relative to (the current directory). */
  readonly cwd?: string;
}

/** `./templates/…` when the file is under `cwd`, else the absolute path. */
function shownPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined) return file;
  const relative = path.relative(cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : `./${relative}`;
}

const COLORS: Record<string, string> = { '+': '32', '~': '33', '-': '31', '=': '2', '?': '36', '!': '31' };

function paint(text: string, symbol: string, color: boolean): string {
  const code = COLORS[symbol];
  return color && code ? `\u001B[${code}m${text}\u001B[0m` : text;
}

function indent(text: string, prefix: string): string[] {
  return text.replace(/\n$/, '').split('\n').map((line) => `${prefix}${line}`);
}

function renderStep(step: StepChange, width: number, color: boolean): string[] {
  const risk = step.risk === 'safe' || step.action === '=' ? '' : `  [${step.risk}]`;
  const lines = [`  ${paint(`${step.action} ${step.id.padEnd(width)}`, step.action, color)}  ${step.describe}${risk}`];
  if (step.action === '=' || step.action === '?') {
    if (step.action === '?') lines.push(`      ${step.reasons.join('; ')}`);
    return lines;
  }
  const fileReasons = step.files.filter((f) => f.action !== 'same');
  const otherReasons = step.reasons.filter((r) => !/(file(s)? to write|folders? to make or fix)$/.test(r));
  if (otherReasons.length > 0) lines.push(`      ${otherReasons.join('; ')}`);
  for (const dir of (step.dirs ?? []).filter((d) => d.action !== 'same')) {
    lines.push(dir.action === 'create' ? `      + ${dir.path}/ (folder ${dir.mode} ${dir.owner})` : `      ~ ${dir.path}/: ${dir.reasons.join('; ')}`);
  }
  for (const file of fileReasons) {
    if (file.secret) {
      lines.push(`      ${file.action === 'create' ? '+' : '~'} ${file.path}: secret ${file.action === 'create' ? 'created' : 'changed'} (${file.bytes} bytes)${file.reasons.some((r) => r !== 'content' && r !== 'missing') ? `; ${file.reasons.filter((r) => r !== 'content' && r !== 'missing').join('; ')}` : ''}`);
      continue;
    }
    if (file.action === 'create') {
      lines.push(`      + ${file.path} (new, ${file.bytes} bytes)`);
      continue;
    }
    lines.push(`      ~ ${file.path}: ${file.reasons.join('; ')}`);
    if (file.diff) lines.push(...indent(file.diff, '        '));
  }
  return lines;
}

function renderHost(host: HostPlan, options: RenderOptions): string[] {
  const color = options.color === true;
  const lines = [`${host.host}${host.target ? ` (${host.target})` : ''}`];
  if (host.problem) {
    lines.push(`  ${paint('!', '!', color)} ${host.problem.message}`, `    hint: ${host.problem.hint}`);
    return lines;
  }
  if (host.lock) lines.push(`  locked by ${host.lock.owner}@${host.lock.operatorHost} since ${host.lock.startedAt} (${host.lock.command}, pid ${host.lock.pid})`);
  for (const guard of host.guards ?? []) lines.push(`  ${paint('!', '!', color)} ${guardFoundText(guard)}; the next apply proves it safe and disarms it, or reverts it first`);
  const shown = host.steps.filter((s) => options.verbose || s.action !== '=');
  const width = Math.max(0, ...shown.map((s) => s.id.length));
  for (const step of shown) lines.push(...renderStep(step, width, color));
  const unchanged = host.steps.length - shown.length;
  if (shown.length === 0) lines.push('  no changes');
  else if (unchanged > 0) lines.push(`  (${unchanged} unchanged)`);
  return lines;
}

/** The human plan: per host, per step, `+ ~ - = ?`, with unified diffs of non-secret files. */
export function renderPlanText(plan: Plan, options: RenderOptions = {}): string {
  const out: string[] = [];
  for (const o of plan.templateOverrides ?? []) out.push(`template override: templates/${o.template} (from ${shownPath(o.file, options.cwd)})`);
  if ((plan.templateOverrides ?? []).length > 0) out.push('');
  for (const host of plan.hosts) out.push(...renderHost(host, options), '');
  const s = summarize(plan.hosts);
  const parts = [`${s.add} to add`, `${s.change} to change`, `${s.destroy} to destroy`, `${s.unchanged} unchanged`];
  if (s.unknown > 0) parts.push(`${s.unknown} known after an earlier phase`);
  out.push(`Plan: ${parts.join(', ')}.${s.problems > 0 ? ` ${s.problems} host${s.problems === 1 ? '' : 's'} could not be planned.` : ''}`);
  return `${out.join('\n')}\n`;
}
