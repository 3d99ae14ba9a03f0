import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { theme } from '../theme.js';

interface Props {
  readonly options: readonly { label: string; value: string }[];
  /** The current answer: focused first, and Enter on it submits it again (unlike @inkjs/ui Select). */
  readonly value?: string;
  readonly visible?: number;
  readonly onSubmit: (value: string) => void;
}

/** A single-choice list: ↑↓ to move, Enter to choose. */
export function ChoiceList({ options, value, visible = 10, onSubmit }: Props) {
  const [focus, setFocusState] = useState(Math.max(0, options.findIndex((o) => o.value === value)));
  // Keys can arrive faster than renders (a paste, a busy machine): read focus from a ref, not a stale closure.
  const focusRef = useRef(focus);
  const setFocus = (next: number) => {
    focusRef.current = next;
    setFocusState(next);
  };
  useInput((_input, key) => {
    if (key.upArrow) setFocus((focusRef.current - 1 + options.length) % options.length);
    else if (key.downArrow) setFocus((focusRef.current + 1) % options.length);
    else if (key.return) {
      const chosen = options[focusRef.current];
      if (chosen) onSubmit(chosen.value);
    }
  });
  const start = Math.min(Math.max(0, focus - visible + 1), Math.max(0, options.length - visible));
  const above = start;
  const below = Math.max(0, options.length - start - visible);
  return (
    <Box flexDirection="column">
      {/* Without these a long list looks complete: what is off screen must be announced. */}
      {above > 0 ? <Text color={theme.muted}>  ↑ {above} more above</Text> : null}
      {options.slice(start, start + visible).map((option, i) => {
        const focused = start + i === focus;
        return (
          <Text key={option.value} {...(focused ? { color: theme.accent } : {})}>
            {focused ? '❯ ' : '  '}
            {option.label}
            {option.value === value ? ' ✔' : ''}
          </Text>
        );
      })}
      {below > 0 ? <Text color={theme.muted}>  ↓ {below} more below</Text> : null}
    </Box>
  );
}
