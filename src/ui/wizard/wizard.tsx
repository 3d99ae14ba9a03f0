import { Spinner } from '@inkjs/ui';
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useReducer, useRef, useState } from 'react';
import { theme } from '../theme.js';
import { FieldInput } from './field-input.js';
import { Review } from './review.js';
import { STEPS, setIn, type Draft, type FieldSpec, type Path, type WizardCatalog } from './screens.js';
import { currentFields, fieldValue, missingInternal, reduce, type WizardState } from './wizard-state.js';

export interface LiveCheckResult {
  /** true: verified; false: refused (the message says why); undefined: not checked (offline). */
  readonly ok: boolean | undefined;
  readonly message: string;
}

export interface WizardProps {
  readonly initial: WizardState;
  readonly catalog: WizardCatalog;
  /** The profile schema's verdict on this path of the draft (same rules as `profile check`). */
  readonly problemAt: (draft: Draft, path: Path) => string | undefined;
  readonly problemWithSecret: (key: string, value: string) => string | undefined;
  readonly withDependencies: (selected: readonly string[]) => readonly { id: string; requiredBy: string | null }[];
  /** `cancel` aborts when the operator quits during the check (Ctrl-C), so nothing waits for a timeout. */
  readonly liveCheck?: (kind: NonNullable<FieldSpec['liveCheck']>, value: string, secrets: Readonly<Record<string, string>>, draft: Draft, cancel: AbortSignal) => Promise<LiveCheckResult>;
  readonly onFinish: (state: WizardState) => void;
  readonly onAbort: () => void;
}

const KEY_HELP: Record<FieldSpec['kind'], string> = {
  text: 'Enter next',
  number: 'Enter next',
  secret: 'typing is hidden · Enter next',
  select: '↑↓ choose · Enter next',
  menu: '↑↓ choose · Enter select',
  multiselect: '↑↓ move · Space toggle · Enter next',
  confirm: 'y / n',
};

export function Wizard({ initial, catalog, problemAt, problemWithSecret, withDependencies, liveCheck, onFinish, onAbort }: WizardProps) {
  const [state, dispatch] = useReducer((s: WizardState, a: Parameters<typeof reduce>[1]) => reduce(s, a, catalog), initial);
  const [checking, setChecking] = useState<string | undefined>();
  const running = useRef<AbortController | undefined>(undefined);
  const { exit } = useApp();
  const fields = currentFields(state, catalog);
  const field = fields[state.field];

  useEffect(() => {
    if (state.outcome) {
      onFinish(state);
      exit();
    }
  }, [state.outcome]);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      running.current?.abort();
      onAbort();
      exit();
    } else if (key.escape && !checking) dispatch({ type: 'back' });
  });

  const submit = async (value: unknown): Promise<void> => {
    if (!field) return;
    if (field.kind === 'menu') return dispatch({ type: 'menu', value: String(value) });
    if (field.secretKey) {
      const text = String(value ?? '');
      // A re-run may leave a secret the vault already holds as it is.
      if (text === '' && !field.optional && !(state.vaultKeys ?? []).includes(field.secretKey)) return dispatch({ type: 'error', message: `${field.label} is required` });
      const problem = text === '' ? undefined : problemWithSecret(field.secretKey, text);
      if (problem) return dispatch({ type: 'error', message: problem });
      const notice = field.liveCheck && text !== '' ? await check(field.liveCheck, text, { ...state.secrets, [field.secretKey]: text }) : undefined;
      if (notice === null) return;
      return dispatch({ type: 'secret', key: field.secretKey, value: text, ...(notice ? { notice } : {}) });
    }
    let answer = value;
    let notice: string[] | undefined;
    // A list of services (a field with its own `write` takes the choices as they are).
    if (field.kind === 'multiselect' && Array.isArray(answer) && field.write === undefined) {
      const chosen = answer.map(String);
      const complete = withDependencies(chosen);
      const previous: unknown[] = (field.path ? (fieldValue(state, field) as unknown[]) : []) ?? [];
      const idOf = (p: unknown): string => (typeof p === 'string' ? p : String((p as { name?: string } | null)?.name));
      const ids = complete.map((d) => d.id);
      // The list keeps its order (a re-run's diff shows only what changed); new services follow, dependencies first.
      const ordered = [...previous.map(idOf).filter((id) => ids.includes(id)), ...ids.filter((id) => !previous.map(idOf).includes(id))];
      // Keep per-service overrides the profile already had.
      answer = ordered.map((id) => previous.find((p) => typeof p === 'object' && p !== null && idOf(p) === id) ?? id);
      const added = complete.filter((d) => !chosen.includes(d.id));
      if (added.length > 0) notice = added.map((d) => `added ${d.id}: needed by ${d.requiredBy}`);
    }
    if (field.path && !(answer === '' && field.optional)) {
      const problem = problemAt(setIn(state.draft, field.path, answer === '' ? undefined : answer), field.path);
      if (problem) return dispatch({ type: 'error', message: problem });
    }
    if (field.liveCheck && typeof answer === 'string' && answer !== '') {
      const result = await check(field.liveCheck, answer, state.secrets);
      if (result === null) return;
      notice = [...(notice ?? []), ...(result ?? [])];
    }
    dispatch({ type: 'answer', value: answer, ...(notice ? { notice } : {}) });
  };

  /** Runs a live check; returns the lines to show, or null when the value was refused. */
  const check = async (kind: NonNullable<FieldSpec['liveCheck']>, value: string, secrets: Readonly<Record<string, string>>): Promise<string[] | null | undefined> => {
    if (!liveCheck) return undefined;
    setChecking(kind);
    const controller = new AbortController();
    running.current = controller;
    try {
      const result = await liveCheck(kind, value, secrets, state.draft, controller.signal);
      if (controller.signal.aborted) return null;
      if (result.ok === false) {
        dispatch({ type: 'error', message: result.message });
        return null;
      }
      return [result.ok ? `✔ ${result.message}` : `not checked (offline): ${result.message}`];
    } finally {
      running.current = undefined;
      setChecking(undefined);
    }
  };

  const stepIndex = STEPS.findIndex((s) => s.id === (state.screen === 'host' ? 'hosts' : state.screen));
  const step = STEPS[stepIndex];
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={theme.accent} bold>
          homelab-wizard
        </Text>
        <Text color={theme.muted}>
          {' '}
          · step {stepIndex + 1}/{STEPS.length} · {step?.title}
          {state.screen === 'host' ? ` · host ${state.host + 1}` : ''}
        </Text>
      </Text>
      <Box marginTop={1} flexDirection="column">
        {state.screen === 'review' ? (
          <Review
            draft={state.draft}
            secretKeys={Object.keys(state.secrets)}
            generateInternal={state.generateInternal}
            internalCount={missingInternal(state, catalog).length}
            keptCount={catalog.internalSecrets(state.draft).length - missingInternal(state, catalog).length}
          />
        ) : null}
        {field ? (
          <Box flexDirection="column">
            <Text bold>{field.label}</Text>
            {field.help ? <Text color={theme.muted}>{field.help}</Text> : null}
            {checking ? (
              <Spinner label={`checking with ${checking}…`} />
            ) : (
              <FieldInput key={`${state.screen}/${state.host}/${field.id}/${state.history.length}`} field={field} value={fieldValue(state, field)} onSubmit={(v) => void submit(v)} />
            )}
          </Box>
        ) : (
          <Text color={theme.muted}>Nothing to ask here.</Text>
        )}
        {/* While a check runs, the last refusal is no longer the news: it comes back only if this check refuses too. */}
        {state.error && !checking ? <Text color={theme.error}>✖ {state.error}</Text> : null}
        {(state.notice ?? []).map((line) => (
          <Text key={line} color={theme.ok}>
            {line}
          </Text>
        ))}
      </Box>
      <Box marginTop={1}>
        <Text color={theme.muted}>{field ? KEY_HELP[field.kind] : ''} · Esc back · Ctrl-C quit</Text>
      </Box>
    </Box>
  );
}
