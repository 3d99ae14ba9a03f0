// Pure helpers of bench/: summaries of timings, tables, and the rewrite of BENCHMARKS.md's tables.
// No I/O here, so test/bench/stats.test.ts can check them exactly.

/** Median, min and max of a non-empty list of numbers (milliseconds). */
export function summarize(values) {
  if (!Array.isArray(values) || values.length === 0) throw new Error('summarize: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** 1234.5 → "1235 ms"; 12345 → "12.3 s"; below 10 ms one decimal. */
export function formatMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** "median (min–max)" of a summary; min and max in the unit of the max. */
export function formatSummary(s) {
  if (s.runs === 1) return `${formatMs(s.median)} (1 run)`;
  const inSeconds = s.max >= 10_000;
  const bare = (ms) => (inSeconds ? (ms / 1000).toFixed(1) : formatMs(ms).replace(/ ms$/, ''));
  return `${formatMs(s.median)} (${bare(s.min)}–${bare(s.max)} ${inSeconds ? 's' : 'ms'})`;
}

/** A Markdown table; cells are strings. */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The same table as aligned plain text for the terminal. */
export function textTable(headers, rows) {
  const widths = headers.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Goal verdict for a median against an upper bound. */
export function verdict(median, goal) {
  return median < goal ? 'meets' : 'MISSES';
}

const marker = (name, end) => `<!-- bench:${name}:${end ? 'end' : 'start'} -->`;

/**
 * Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` (markers
 * kept). A document without both markers, or with them out of order, is an error: the caller
 * must not silently drop figures.
 */
export function rewriteBlock(doc, name, body) {
  const start = doc.indexOf(marker(name, false));
  const end = doc.indexOf(marker(name, true));
  if (start < 0 || end < 0 || end < start) throw new Error(`BENCHMARKS.md has no ${marker(name, false)} … ${marker(name, true)} block`);
  const head = doc.slice(0, start + marker(name, false).length);
  return `${head}\n${body.trim()}\n${doc.slice(end)}`;
}
