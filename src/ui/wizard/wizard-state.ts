import { getIn, isUsualHostField, screenFields, setIn, shownValue, type Draft, type FieldSpec, type Path, type ScreenContext, type ScreenId, type WizardCatalog } from './screens.js';

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
  /** The form the profile has on disk now (a re-run), or the one asked for (--plain-profile); the review's default. */
  readonly currentForm?: 'plain' | 'encrypted';
  /** Set on a re-run: the profile exists, so its file name is shown in the write choices. */
  readonly fileName?: string;
  /** Keys the vault already holds (a re-run): those are neither generated again nor asked for. */
  readonly vaultKeys?: readonly string[];
  /** A re-run: the profile exists, and what it leaves out means the schema's defaults. */
  readonly rerun?: boolean;
  /** The hosts the profile had when the wizard opened (a re-run). */
  readonly existingHosts?: readonly string[];
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

const ORDER: readonly ScreenId[] = ['project', 'domain', 'hosts', 'vpn', 'access', 'services', 'notifications', 'admins', 'ai', 'api-keys', 'internal-secrets', 'review'];

export interface InitialOptions {
  readonly currentForm?: 'plain' | 'encrypted';
  readonly fileName?: string;
  readonly vaultKeys?: readonly string[];
  /** A re-run opens on the review page: everything is prefilled, and any section can be reopened from there. */
  readonly startAtReview?: boolean;
}

export function initialState(draft: Draft, secrets: Record<string, string> = {}, options: InitialOptions = {}): WizardState {
  const { startAtReview, ...rest } = options;
  const rerun = startAtReview === true ? { rerun: true, existingHosts: (Array.isArray(draft['hosts']) ? draft['hosts'] : []).map((h: Draft) => String(h?.['name'])) } : {};
  return { draft, secrets, screen: startAtReview ? 'review' : 'project', field: 0, host: 0, history: [], generateInternal: true, returnToReview: false, ...rest, ...rerun };
}

/** On a re-run, an absent key of the existing profile means its default: shown as such, and not written when kept. */
function keepsDefaults(state: WizardState, path: Path | undefined): boolean {
  if (state.rerun !== true || path === undefined) return false;
  if (path[0] !== 'hosts') return true;
  const host = Array.isArray(state.draft['hosts']) ? state.draft['hosts'][Number(path[1])] : undefined;
  return (state.existingHosts ?? []).includes(String(host?.['name']));
}

function contextOf(state: WizardState): ScreenContext {
  return {
    ...(state.currentForm ? { currentForm: state.currentForm } : {}),
    ...(state.fileName ? { fileName: state.fileName } : {}),
    ...(state.vaultKeys ? { vaultKeys: state.vaultKeys } : {}),
    ...(state.existingHosts ? { existingHosts: state.existingHosts } : {}),
  };
}

export function currentFields(state: WizardState, catalog: WizardCatalog): FieldSpec[] {
  const fields = screenFields(state.screen, state.draft, catalog, state.host, contextOf(state));
  if (state.screen === 'internal-secrets' && !state.generateInternal) {
    return [
      ...fields,
      ...missingInternal(state, catalog).map((s) => ({
        id: s.key, label: s.description, kind: 'secret' as const, secretKey: s.key, optional: true, help: `vault key ${s.key}; leave empty to generate it`,
      })),
    ];
  }
  return fields;
}

/** Internal secrets the chosen services need and the vault does not hold yet. */
export function missingInternal(state: WizardState, catalog: WizardCatalog): readonly { key: string; description: string }[] {
  return catalog.internalSecrets(state.draft).filter((s) => !(state.vaultKeys ?? []).includes(s.key));
}

/** The first screen after `screen` that asks something (admins and API keys may have nothing to ask). */
function nextScreen(state: WizardState, catalog: WizardCatalog, after: ScreenId): ScreenId {
  if (state.returnToReview) return 'review';
  let index = ORDER.indexOf(after === 'host' ? 'hosts' : after) + 1;
  while (index < ORDER.length - 1 && screenFields(ORDER[index] as ScreenId, state.draft, catalog, 0, contextOf(state)).length === 0) index += 1;
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
      if (state.screen === 'host' && field?.id === 'usual') {
        if (action.value !== true) return moveOn(state, catalog, action.notice);
        // Keep the usual settings: write what the summary showed (a new host) and skip to the host list.
        let draft = state.draft;
        for (const f of currentFields(state, catalog).filter((f) => isUsualHostField(f.id))) {
          if (!f.path || getIn(draft, f.path) !== undefined || keepsDefaults(state, f.path)) continue;
          draft = setIn(draft, f.path, shownValue(f, draft, false));
        }
        const here: Position = { screen: state.screen, field: state.field, host: state.host };
        return { ...state, draft, history: [...state.history, here], error: undefined, notice: action.notice, screen: 'hosts', field: 0 };
      }
      if (field?.write) return moveOn({ ...state, draft: field.write(state.draft, action.value) }, catalog, action.notice);
      if (!field?.path) return state;
      const empty = action.value === '' || action.value === undefined;
      const untouchedDefault = getIn(state.draft, field.path) === undefined && keepsDefaults(state, field.path) && action.value === field.schemaDefault;
      const draft = setIn(state.draft, field.path, empty || untouchedDefault ? undefined : action.value);
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
  if (field.read) return field.read(state.draft) ?? field.suggestion;
  const value = field.path ? getIn(state.draft, field.path) : undefined;
  if (value === undefined && keepsDefaults(state, field.path) && field.schemaDefault !== undefined) return field.schemaDefault;
  return value ?? field.suggestion;
}
