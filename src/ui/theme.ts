/** Semantic colours in one place; Ink drops them when NO_COLOR is set. */
export const theme = {
  accent: 'cyan',
  muted: 'gray',
  error: 'red',
  ok: 'green',
  warn: 'yellow',
} as const;
