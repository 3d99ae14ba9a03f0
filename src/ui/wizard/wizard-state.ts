import { getIn, screenFields, setIn, type Draft, type FieldSpec, type ScreenId, type WizardCatalog } from './screens.js';

/** The wizard's whole state, changed only by `reduce` (pure, tested without React). */
export interface WizardState {
  readonly draft: Draft;
  /** External and hand-set secrets, by vault key; never rendered. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly screen: ScreenId;
  readonly field: number;
  /** The host being edited on the `host` screen. */
  readonly host: number;
  readonly history: readonly Position[];
  readonly error?: string;
  readonly notice?: readonly string[];
  readonly generateInternal: boolean;
  /** Set when a section was reopened from the review screen: finishing it returns there. */
  readonly returnToReview: boolean;
  readonly outcome?: { readonly kind: 'write'; readonly encrypted: boolean } | { readonly kind: 'quit' };
}

interface Position {
  readonly screen: ScreenId;
  readonly field: number;
  readonly host: number;
}

export type Action =
  | { type: 'answer'; value: unknown; notice?: readonly string[] }
  | { type: 'secret'; key: string; value: string; notice?: readonly string[] }
  | { type: 'menu'; value: string }
  | { type: 'error'; message: string }
  | { type: 'back' };

const ORDER: readonly ScreenId[] = ['project', 'domain', 'hosts', 'vpn', 'access', 'services', 'notifications', 'admins', 'api-keys', 'internal-secrets', 'review'];

export function initialState(draft: Draft, secrets: Record<string, string> = {}): WizardState {
  return { draft, secrets, screen: 'project', field: 0, host: 0, history: [], generateInternal: true, returnToReview: false };
}

export function currentFields(state: WizardState, catalog: WizardCatalog): FieldSpec[] {
  const fields = screenFields(state.screen, state.draft, catalog, state.host);
  if (state.screen === 'internal-secrets' && !state.generateInternal) {
    return [
      ...fields,
      ...catalog.internalSecrets(state.draft).map((s) => ({
        id: s.key, label: s.description, kind: 'secret' as const, secretKey: s.key, optional: true, help: `vault key ${s.key}; leave empty to generate it`,
      })),
    ];
  }
  return fields;
}

/** The first screen after `screen` that asks something (admins and API keys may have nothing to ask). */
function nextScreen(state: WizardState, catalog: WizardCatalog, after: ScreenId): ScreenId {
  if (state.returnToReview) return 'review';
  let index = ORDER.indexOf(after === 'host' ? 'hosts' : after) + 1;
  while (index < ORDER.length - 1 && screenFields(ORDER[index] as ScreenId, state.draft, catalog).length === 0) index += 1;
  return ORDER[index] ?? 'review';
}

function moveOn(state: WizardState, catalog: WizardCatalog, notice?: readonly string[]): WizardState {
  const here: Position = { screen: state.screen, field: state.field, host: state.host };
  const fields = currentFields(state, catalog);
  const base = { ...state, history: [...state.history, here], error: undefined, notice };
  if (state.field + 1 < fields.length) return { ...base, field: state.field + 1 };
  if (state.screen === 'host') return { ...base, screen: 'hosts', field: 0 };
  const screen = nextScreen(state, catalog, state.screen);
  return { ...base, screen, field: 0, returnToReview: screen === 'review' ? false : state.returnToReview };
}

export function reduce(state: WizardState, action: Action, catalog: WizardCatalog): WizardState {
  const field = currentFields(state, catalog)[state.field];
  switch (action.type) {
    case 'error':
      return { ...state, error: action.message };
    case 'back': {
      const previous = state.history.at(-1);
      if (!previous) return { ...state, error: undefined, notice: ['This is the first question.'] };
      return { ...state, ...previous, history: state.history.slice(0, -1), error: undefined, notice: undefined };
    }
    case 'answer': {
      if (state.screen === 'internal-secrets' && field?.id === 'generate') {
        return moveOn({ ...state, generateInternal: action.value === true }, catalog, action.notice);
      }
      if (!field?.path) return state;
      const empty = action.value === '' || action.value === undefined;
      const draft = setIn(state.draft, field.path, empty ? undefined : action.value);
      return moveOn({ ...state, draft }, catalog, action.notice);
    }
    case 'secret': {
      const { [action.key]: _old, ...rest } = state.secrets;
      const secrets = action.value === '' ? rest : { ...rest, [action.key]: action.value };
      return moveOn({ ...state, secrets }, catalog, action.notice);
    }
    case 'menu': {
      const here: Position = { screen: state.screen, field: state.field, host: state.host };
      const pushed = { ...state, history: [...state.history, here], error: undefined, notice: undefined };
      const [verb, arg] = action.value.split(':');
      if (verb === 'add') {
        const hosts = Array.isArray(state.draft['hosts']) ? state.draft['hosts'] : [];
        // No services key yet: the services screen then proposes the hardening baseline of its role.
        const draft = setIn(state.draft, ['hosts', hosts.length], { provider: { kind: 'existing' }, ssh: {} });
        return { ...pushed, draft, screen: 'host', host: hosts.length, field: 0 };
      }
      if (verb === 'edit') return { ...pushed, screen: 'host', host: Number(arg), field: 0 };
      if (verb === 'remove') return { ...state, draft: setIn(state.draft, ['hosts', Number(arg)], undefined), notice: ['Host removed.'] };
      if (verb === 'done') {
        if (!Array.isArray(state.draft['hosts']) || state.draft['hosts'].length === 0) return { ...state, error: 'Add at least one host.' };
        return moveOn(state, catalog);
      }
      if (verb === 'goto') return { ...pushed, screen: arg as ScreenId, field: 0, host: 0, returnToReview: true };
      if (verb === 'write') return { ...state, outcome: { kind: 'write', encrypted: arg === 'encrypted' } };
      if (verb === 'quit') return { ...state, outcome: { kind: 'quit' } };
      return state;
    }
  }
}

/** What a field shows before the operator types: the current answer, else a suggestion. */
export function fieldValue(state: WizardState, field: FieldSpec): unknown {
  if (field.secretKey) return state.secrets[field.secretKey] ?? '';
  if (field.id === 'generate') return state.generateInternal;
  const value = field.path ? getIn(state.draft, field.path) : undefined;
  return value ?? field.suggestion;
}
