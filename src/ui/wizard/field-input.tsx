import { ConfirmInput } from '@inkjs/ui';
import { Text } from 'ink';
import { ChoiceList } from '../components/choice-list.js';
import { LineInput } from '../components/line-input.js';
import { MultiChoiceList } from '../components/multi-choice-list.js';
import type { FieldSpec } from './screens.js';

interface Props {
  readonly field: FieldSpec;
  readonly value: unknown;
  readonly onSubmit: (value: unknown) => void;
}

/** Pasted text may end in a newline or carry control characters (stack-notes §2, pitfall 3). */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '').trim();
}

/** One question, with the widget its kind calls for. */
export function FieldInput({ field, value, onSubmit }: Props) {
  const options = (field.options ?? []).map((o) => ({ label: o.label, value: o.value }));
  switch (field.kind) {
    case 'text':
      return <LineInput defaultValue={value === undefined ? '' : String(value)} onSubmit={(v) => onSubmit(clean(v))} />;
    case 'number':
      return (
        <LineInput
          defaultValue={value === undefined ? '' : String(value)}
          onSubmit={(v) => {
            const text = clean(v);
            onSubmit(/^[0-9]+$/.test(text) ? Number(text) : text);
          }}
        />
      );
    case 'secret':
      return <LineInput mask placeholder={value ? '(kept: press Enter)' : ''} onSubmit={(v) => onSubmit(v === '' && value ? value : clean(v))} />;
    case 'select':
    case 'menu':
      return <ChoiceList options={options} {...(typeof value === 'string' ? { value } : {})} onSubmit={onSubmit} />;
    case 'multiselect':
      return <MultiChoiceList options={options} value={Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : String(v?.name))) : []} onSubmit={onSubmit} />;
    case 'confirm':
      return (
        <Text>
          <ConfirmInput defaultChoice={value === false ? 'cancel' : 'confirm'} onConfirm={() => onSubmit(true)} onCancel={() => onSubmit(false)} />
        </Text>
      );
  }
}
