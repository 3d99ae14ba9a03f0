/**
 * A unified diff (`diff -u` style, 3 lines of context) between two texts. Small files only: plans
 * show configuration files, so a plain LCS table is enough; beyond MAX_CELLS the diff says so.
 */
const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function lcsOps(a: readonly string[], b: readonly string[]): Op[] | null {
  // Trim the common head and tail first: most config changes touch a few lines in the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const width = m + 1;
  if ((n + 1) * width > MAX_CELLS) return null;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] = am[i] === bm[j] ? (table[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0);
    }
  }
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ kind: ' ', line: am[i] as string });
      i++;
      j++;
    } else if (j < m && (i === n || (table[i * width + j + 1] ?? 0) >= (table[(i + 1) * width + j] ?? 0))) {
      ops.push({ kind: '+', line: bm[j] as string });
      j++;
    } else {
      ops.push({ kind: '-', line: am[i] as string });
      i++;
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

/** Within a run of changes, removals come before additions, as in diff -u. */
function orderRuns(ops: Op[]): Op[] {
  const out: Op[] = [];
  let minus: Op[] = [];
  let plus: Op[] = [];
  const flush = (): void => {
    out.push(...minus, ...plus);
    minus = [];
    plus = [];
  };
  for (const op of ops) {
    if (op.kind === '-') minus.push(op);
    else if (op.kind === '+') plus.push(op);
    else {
      flush();
      out.push(op);
    }
  }
  flush();
  return out;
}

export function unifiedDiff(before: string, after: string, labels: { readonly before: string; readonly after: string }): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const raw = lcsOps(a, b);
  if (raw === null) return `--- ${labels.before}\n+++ ${labels.after}\n(${a.length} lines before, ${b.length} after: too large to show a diff)\n`;
  const ops = orderRuns(raw);
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) {
    // Same lines, different bytes: only the final newline differs.
    return `--- ${labels.before}\n+++ ${labels.after}\n(only the newline at the end of the file differs)\n`;
  }
  // Group changes whose context windows overlap into hunks.
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const last = hunks.at(-1);
    if (last && index - CONTEXT <= last[1] + CONTEXT) last[1] = index;
    else hunks.push([index, index]);
  }
  const lines = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const [first, lastChange] of hunks) {
    const start = Math.max(0, first - CONTEXT);
    const end = Math.min(ops.length - 1, lastChange + CONTEXT);
    let oldStart = 1;
    let newStart = 1;
    for (let k = 0; k < start; k++) {
      if (ops[k]?.kind !== '+') oldStart++;
      if (ops[k]?.kind !== '-') newStart++;
    }
    const slice = ops.slice(start, end + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const range = (from: number, count: number): string => (count === 1 ? `${from}` : `${count === 0 ? from - 1 : from},${count}`);
    lines.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of slice) lines.push(`${op.kind}${op.line}`);
  }
  return `${lines.join('\n')}\n`;
}
