import { Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { theme } from '../theme.js';

interface Props {
  readonly defaultValue?: string;
  readonly placeholder?: string;
  /** Show each character as `*` (secrets). */
  readonly mask?: boolean;
  readonly onSubmit: (value: string) => void;
}

interface Line {
  readonly value: string;
  readonly cursor: number;
}

// Pasted text may carry a newline or other control characters: only printable text is inserted.
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, '');

/** The start of the word before the cursor, as readline's Ctrl-W finds it (spaces, then non-spaces). */
function wordStart(value: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && value[i - 1] === ' ') i--;
  while (i > 0 && value[i - 1] !== ' ') i--;
  return i;
}

/** What one key does to the line; undefined when the key is not an editing key. Pure. */
export function editLine(line: Line, input: string, key: { ctrl?: boolean; meta?: boolean; leftArrow?: boolean; rightArrow?: boolean; home?: boolean; end?: boolean; backspace?: boolean; delete?: boolean }): Line | undefined {
  const { value, cursor } = line;
  if (key.home || (key.ctrl && input === 'a')) return { value, cursor: 0 };
  if (key.end || (key.ctrl && input === 'e')) return { value, cursor: value.length };
  if (key.leftArrow || (key.ctrl && input === 'b')) return { value, cursor: Math.max(0, cursor - 1) };
  if (key.rightArrow || (key.ctrl && input === 'f')) return { value, cursor: Math.min(value.length, cursor + 1) };
  if (key.ctrl && input === 'u') return { value: value.slice(cursor), cursor: 0 };
  if (key.ctrl && input === 'k') return { value: value.slice(0, cursor), cursor };
  if ((key.ctrl && input === 'w') || (key.meta && (key.backspace || key.delete))) {
    const start = wordStart(value, cursor);
    return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
  }
  if (key.ctrl && input === 'd') return { value: value.slice(0, cursor) + value.slice(cursor + 1), cursor };
  // Terminals send DEL (0x7f) for Backspace, which Ink reports as delete: both erase to the left.
  if (key.backspace || key.delete) return cursor === 0 ? line : { value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1 };
  if (key.ctrl || key.meta) return line;
  const text = printable(input);
  if (text === '') return undefined;
  return { value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length };
}

/**
 * A one-line text field with the readline keys people's fingers know: ←→, Home/End, Ctrl-A/E,
 * Ctrl-U/K (erase to start/end), Ctrl-W (erase a word), Ctrl-D (erase under the cursor).
 * State lives in a ref, so keys that arrive faster than renders are not lost (see ChoiceList).
 */
export function LineInput({ defaultValue = '', placeholder = '', mask = false, onSubmit }: Props) {
  const line = useRef<Line>({ value: defaultValue, cursor: defaultValue.length });
  const [, rerender] = useState(0);
  useInput((input, key) => {
    if (key.return) return onSubmit(line.current.value);
    if (key.upArrow || key.downArrow || key.tab || key.escape || (key.ctrl && input === 'c')) return;
    const next = editLine(line.current, input, key);
    if (next === undefined || next === line.current) return;
    line.current = next;
    rerender((n) => n + 1);
  });
  const { value, cursor } = line.current;
  if (value === '' && placeholder !== '') {
    return (
      <Text>
        <Text inverse>{placeholder[0]}</Text>
        <Text color={theme.muted}>{placeholder.slice(1)}</Text>
      </Text>
    );
  }
  const shown = mask ? '*'.repeat(value.length) : value;
  return (
    <Text>
      {shown.slice(0, cursor)}
      <Text inverse>{shown[cursor] ?? ' '}</Text>
      {shown.slice(cursor + 1)}
    </Text>
  );
}
