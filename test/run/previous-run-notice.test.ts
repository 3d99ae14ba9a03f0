import { describe, expect, it } from 'vitest';
import { previousRunNotice } from '../../src/run/run-files.js';

const run = { runId: '20260101T100000Z-abcdef', pid: 4242, operatorHost: 'laptop.example.com', startedAt: '2026-01-01T10:00:00.000Z', command: 'apply', progress: ['vps: deploy.stack.apps ok'] };

describe('what apply says about the previous run of the folder', () => {
  it('says nothing of a run still in progress on this machine: its lock says who, since when and its pid', () => {
    expect(previousRunNotice(run, 'laptop.example.com', () => true)).toBeUndefined();
  });

  it('says a run whose process is gone did not finish, with where it stopped', () => {
    expect(previousRunNotice(run, 'laptop.example.com', () => false)).toBe(
      "The previous apply (run 20260101T100000Z-abcdef, started 2026-01-01T10:00:00.000Z) did not finish (last: vps: deploy.stack.apps ok). This run continues from each host's current state.",
    );
  });

  it('does not call a run of another machine unfinished: it cannot tell', () => {
    const text = previousRunNotice(run, 'desk.example.com', () => false);
    expect(text).toMatch(/on laptop\.example\.com\) has no end in its journal .*: it stopped, or still runs there/);
    expect(text).not.toMatch(/did not finish/);
  });
});
