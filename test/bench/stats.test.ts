import { describe, expect, it } from 'vitest';
// @ts-expect-error: bench/ is plain JavaScript (no declarations); these are its pure helpers.
import { formatMs, formatSummary, markdownTable, rewriteBlock, summarize, textTable, verdict } from '../../bench/lib/stats.mjs';

describe('bench statistics', () => {
  it('takes the median of an odd and an even number of runs, with min and max, whatever the order', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([40, 10, 30, 20])).toEqual({ median: 25, min: 10, max: 40, runs: 4 });
  });

  it('refuses an empty list rather than reporting a figure', () => {
    expect(() => summarize([])).toThrow(/no values/);
  });

  it('formats milliseconds and summaries', () => {
    expect(formatMs(4.25)).toBe('4.3 ms');
    expect(formatMs(812.4)).toBe('812 ms');
    expect(formatMs(14_250)).toBe('14.3 s');
    expect(formatSummary({ median: 120, min: 100, max: 180, runs: 5 })).toBe('120 ms (100–180 ms)');
    expect(formatSummary({ median: 70_000, min: 70_000, max: 70_000, runs: 1 })).toBe('70.0 s (1 run)');
    // min and max share the unit of the max, however the median is written.
    expect(formatSummary({ median: 9_500, min: 8_921, max: 14_200, runs: 5 })).toBe('9500 ms (8.9–14.2 s)');
    expect(formatSummary({ median: 9.5, min: 7.7, max: 104, runs: 5 })).toBe('9.5 ms (7.7–104 ms)');
    expect(verdict(149, 150)).toBe('meets');
    expect(verdict(150, 150)).toBe('MISSES');
  });

  it('writes Markdown and text tables, escaping pipes', () => {
    expect(markdownTable(['a', 'b'], [['1', 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
    expect(textTable(['name', 'v'], [['ab', '1']])).toBe('name  v\n----  -\nab    1');
  });
});

describe('BENCHMARKS.md rewriter', () => {
  const doc = ['# B', '<!-- bench:cold:start -->', 'old', '<!-- bench:cold:end -->', 'prose stays', '<!-- bench:vault:start -->', 'v', '<!-- bench:vault:end -->', ''].join('\n');

  it('replaces only the named block and keeps its markers and the prose around it', () => {
    const out = rewriteBlock(doc, 'cold', '| new |\n');
    expect(out).toBe(doc.replace('\nold\n', '\n| new |\n'));
    expect(rewriteBlock(out, 'cold', 'again')).toContain('<!-- bench:cold:start -->\nagain\n<!-- bench:cold:end -->\nprose stays');
  });

  it('fails on a missing or reversed block instead of dropping figures', () => {
    expect(() => rewriteBlock(doc, 'scaling', 'x')).toThrow(/bench:scaling:start/);
    expect(() => rewriteBlock('<!-- bench:a:end --> <!-- bench:a:start -->', 'a', 'x')).toThrow();
  });
});
