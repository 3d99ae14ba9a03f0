import { Box, Text, useApp, useInput } from 'ink';
import { ChoiceList } from '../components/choice-list.js';
import { theme } from '../theme.js';

export interface PickRow {
  readonly value: string;
  /** One cell per column, in the order of `columns`. */
  readonly cells: readonly string[];
  /** Marked (e.g. unhealthy) in the warning colour. */
  readonly warn?: boolean;
}

export interface PickListProps {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly PickRow[];
  readonly value?: string;
  readonly onSubmit: (value: string) => void;
  readonly onCancel: () => void;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

/**
 * A table to choose one row from (`redeploy` without SERVICE, `rollback` without --to): the data
 * comes in through props, the choice goes out through callbacks; Esc or q cancels.
 */
export function PickList({ title, columns, rows, value, onSubmit, onCancel }: PickListProps) {
  const { exit } = useApp();
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r.cells[i] ?? '').length)));
  useInput((input, key) => {
    if (key.escape || input === 'q' || (key.ctrl && input === 'c')) {
      onCancel();
      exit();
    }
  });
  return (
    <Box flexDirection="column">
      <Text bold>{title}</Text>
      <Text color={theme.muted}>{`  ${pad(columns, widths)}`}</Text>
      <ChoiceList
        options={rows.map((r) => ({ value: r.value, label: `${pad(r.cells, widths)}${r.warn ? '  !' : ''}` }))}
        {...(value !== undefined ? { value } : {})}
        onSubmit={(chosen) => {
          onSubmit(chosen);
          exit();
        }}
      />
      <Text color={theme.muted}>↑↓ move · Enter choose · Esc cancel</Text>
    </Box>
  );
}
