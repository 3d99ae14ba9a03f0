import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { editLine, LineInput } from '../../src/ui/components/line-input.js';

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

describe('the text field keys', () => {
  it.each([
    ['Ctrl-U erases to the start', { value: 'homelab', cursor: 4 }, 'u', { ctrl: true }, { value: 'lab', cursor: 0 }],
    ['Ctrl-K erases to the end', { value: 'homelab', cursor: 4 }, 'k', { ctrl: true }, { value: 'home', cursor: 4 }],
    ['Ctrl-W erases the word before the cursor', { value: 'my home lab', cursor: 11 }, 'w', { ctrl: true }, { value: 'my home ', cursor: 8 }],
    ['Ctrl-A goes to the start', { value: 'abc', cursor: 3 }, 'a', { ctrl: true }, { value: 'abc', cursor: 0 }],
    ['Ctrl-E goes to the end', { value: 'abc', cursor: 0 }, 'e', { ctrl: true }, { value: 'abc', cursor: 3 }],
    ['Home goes to the start', { value: 'abc', cursor: 2 }, '', { home: true }, { value: 'abc', cursor: 0 }],
    ['End goes to the end', { value: 'abc', cursor: 1 }, '', { end: true }, { value: 'abc', cursor: 3 }],
    ['Backspace erases to the left', { value: 'abc', cursor: 2 }, '', { delete: true }, { value: 'ac', cursor: 1 }],
    ['typing inserts at the cursor', { value: 'ac', cursor: 1 }, 'b', {}, { value: 'abc', cursor: 2 }],
    ['a paste loses its newline', { value: '', cursor: 0 }, 'ssh-ed25519 AAAA\r\n', {}, { value: 'ssh-ed25519 AAAA', cursor: 16 }],
  ])('%s', (_name, line, input, key, expected) => {
    expect(editLine(line, input, key)).toEqual(expected);
  });

  it('an unknown Ctrl key inserts nothing', () => {
    expect(editLine({ value: 'abc', cursor: 3 }, 'x', { ctrl: true })).toEqual({ value: 'abc', cursor: 3 });
  });

  it('masks a secret and submits what was typed', async () => {
    let submitted: string | undefined;
    const app = render(<LineInput mask onSubmit={(v) => (submitted = v)} />);
    await tick();
    app.stdin.write('s3cret');
    await tick();
    expect(app.lastFrame()).toContain('******');
    expect(app.lastFrame()).not.toContain('s3cret');
    app.stdin.write('\u0015'); // Ctrl-U
    await tick();
    app.stdin.write('new');
    await tick();
    app.stdin.write('\r');
    await tick();
    expect(submitted).toBe('new');
    app.unmount();
  });
});
