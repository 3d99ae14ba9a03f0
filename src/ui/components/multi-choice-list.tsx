import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { theme } from '../theme.js';

interface Props {
  readonly options: readonly { label: string; value: string }[];
  readonly value: readonly string[];
  readonly visible?: number;
  readonly onSubmit: (value: string[]) => void;
}

/** A multiple-choice list: ↑↓ to move, Space to toggle, Enter to confirm. State in refs, as in ChoiceList. */
export function MultiChoiceList({ options, value, visible = 12, onSubmit }: Props) {
  const [, rerender] = useState(0);
  const focus = useRef(0);
  const chosen = useRef(new Set(value));
  const update = () => rerender((n) => n + 1);
  useInput((input, key) => {
    if (key.upArrow) focus.current = (focus.current - 1 + options.length) % options.length;
    else if (key.downArrow) focus.current = (focus.current + 1) % options.length;
    else if (input === ' ') {
      const id = options[focus.current]?.value;
      if (id !== undefined) chosen.current.has(id) ? chosen.current.delete(id) : chosen.current.add(id);
    } else if (key.return) return onSubmit(options.map((o) => o.value).filter((v) => chosen.current.has(v)));
    else return;
    update();
  });
  const start = Math.min(Math.max(0, focus.current - visible + 1), Math.max(0, options.length - visible));
  const above = start;
  const below = Math.max(0, options.length - start - visible);
  return (
    <Box flexDirection="column">
      {/* Without these a long list looks complete: what is off screen must be announced. */}
      {above > 0 ? <Text color={theme.muted}>  ↑ {above} more above</Text> : null}
      {options.slice(start, start + visible).map((option, i) => {
        const focused = start + i === focus.current;
        return (
          <Text key={option.value} {...(focused ? { color: theme.accent } : {})}>
            {focused ? '❯ ' : '  '}
            {chosen.current.has(option.value) ? '◉ ' : '◯ '}
            {option.label}
          </Text>
        );
      })}
      {below > 0 ? <Text color={theme.muted}>  ↓ {below} more below</Text> : null}
    </Box>
  );
}
