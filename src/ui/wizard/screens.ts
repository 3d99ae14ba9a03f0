/**
 * The wizard's screens as data: which questions each screen asks, given the answers so far.
 * Every question of wizard.sh (vpai-system §1.2) has a place here, plus what it lacked.
 */
import { modelsForProviders, PROVIDER_LABELS, SUGGESTED_COLLECTIONS, SUGGESTED_MODELS, type SuggestedModel } from '../../profile/ai-suggestions.js';
import { LITELLM_PROVIDERS } from '../../profile/litellm-schema.js';

export type Draft = Record<string, any>;
export type Path = readonly (string | number)[];

export const SCREENS = [
  'project', 'domain', 'hosts', 'host', 'vpn', 'access', 'services', 'notifications', 'admins', 'ai', 'api-keys', 'internal-secrets', 'review',
] as const;
export type ScreenId = (typeof SCREENS)[number];

/** Screens shown in the step indicator; `host` is a sub-screen of `hosts`. */
export const STEPS: readonly { id: ScreenId; title: string }[] = [
  { id: 'project', title: 'Project' },
  { id: 'domain', title: 'Domain and TLS' },
  { id: 'hosts', title: 'Hosts' },
  { id: 'vpn', title: 'VPN' },
  { id: 'access', title: 'Access' },
  { id: 'services', title: 'Services' },
  { id: 'notifications', title: 'Notifications' },
  { id: 'admins', title: 'Admin accounts' },
  { id: 'ai', title: 'AI models' },
  { id: 'api-keys', title: 'API keys' },
  { id: 'internal-secrets', title: 'Internal secrets' },
  { id: 'review', title: 'Review' },
];

export interface Option {
  readonly label: string;
  readonly value: string;
}

export interface FieldSpec {
  readonly id: string;
  readonly label: string;
  readonly kind: 'text' | 'number' | 'secret' | 'select' | 'multiselect' | 'confirm' | 'menu';
  /** Where the answer goes in the profile draft. */
  readonly path?: Path;
  /** Where a secret answer goes in the vault. */
  readonly secretKey?: string;
  readonly options?: readonly Option[];
  readonly help?: string;
  /** Empty is allowed (the key is left out). */
  readonly optional?: boolean;
  /** Value proposed when the draft has none. */
  readonly suggestion?: string | number | boolean | readonly string[];
  readonly liveCheck?: 'hetzner' | 'ovh' | 'headscale';
  /**
   * What the profile means when the key is absent (the schema's default). On a re-run the wizard
   * shows it for an absent key, and an answer equal to it leaves the key absent, so an untouched
   * question adds nothing to the diff.
   */
  readonly schemaDefault?: string | number | boolean;
  /**
   * For an answer that is not one value at one path (providers chosen → a model list): how it is
   * read from the draft and written into it. Pure.
   */
  readonly read?: (draft: Draft) => unknown;
  readonly write?: (draft: Draft, value: unknown) => Draft;
}

/** What the wizard needs to know about the catalogue and the machine, passed in by the caller. */
export interface WizardCatalog {
  servicesForRole(role: string): readonly Option[];
  /** The host components a new host of this role starts with (pre-selected, can be unticked). */
  baselineForRole(role: string, vpn: boolean): readonly string[];
  /** Generated secrets the chosen services need, with a description. */
  internalSecrets(draft: Draft): readonly { key: string; description: string }[];
  /** External secrets the choices need (provider tokens, API keys). */
  externalSecrets(draft: Draft): readonly { key: string; description: string; optional: boolean; liveCheck?: FieldSpec['liveCheck'] }[];
}

export function getIn(draft: Draft, path: Path): any {
  let node: any = draft;
  for (const key of path) node = node?.[key as keyof typeof node];
  return node;
}

/** A copy of the draft with one value set (or removed with undefined); objects and arrays created on the way. */
export function setIn(draft: Draft, path: Path, value: unknown): Draft {
  const [head, ...rest] = path;
  if (head === undefined) return draft;
  const copy: any = Array.isArray(draft) ? [...draft] : { ...draft };
  if (rest.length === 0) {
    if (value === undefined) {
      if (Array.isArray(copy)) copy.splice(head as number, 1);
      else delete copy[head];
    } else copy[head] = value;
    return copy;
  }
  // Removing what is not there changes nothing: no empty objects on the way.
  if (value === undefined && (copy[head] === undefined || copy[head] === null)) return draft;
  const child = copy[head] ?? (typeof rest[0] === 'number' ? [] : {});
  copy[head] = setIn(child, rest, value);
  return copy;
}

const choice = (...values: string[]): Option[] => values.map((value) => ({ label: value, value }));
const hosts = (draft: Draft): Draft[] => (Array.isArray(draft['hosts']) ? draft['hosts'] : []);
const usesService = (draft: Draft, id: string): boolean =>
  hosts(draft).some((h) => (h['services'] ?? []).some((s: any) => (typeof s === 'string' ? s : s?.name) === id));

/** The host questions that have a usual answer, asked one by one only when the operator wants to change one. */
const USUAL = new Set(['port', 'targetPort', 'user', 'adminUser', 'sudo', 'arch', 'os']);

/** The value a host question shows: the draft's, else (a host of the existing profile) the schema default, else the suggestion. */
export function shownValue(field: FieldSpec, draft: Draft, keepDefaults: boolean): unknown {
  const value = field.path ? getIn(draft, field.path) : undefined;
  if (value !== undefined) return value;
  if (keepDefaults && field.schemaDefault !== undefined) return field.schemaDefault;
  return field.suggestion ?? (field.kind === 'select' ? field.options?.[0]?.value : undefined);
}

function hostFields(draft: Draft, index: number, existing: boolean): FieldSpec[] {
  const at = (...p: (string | number)[]): Path => ['hosts', index, ...p];
  const host = hosts(draft)[index] ?? {};
  const hetzner = host['provider']?.['kind'] === 'hetzner';
  const fields: FieldSpec[] = [
    { id: 'name', label: 'Host name', kind: 'text', path: at('name'), help: 'short, lower-case: used in paths and container names' },
    { id: 'role', label: 'Role', kind: 'select', path: at('role'), options: choice('ai-server', 'app-server', 'vpn-hub', 'workstation') },
    {
      id: 'provider', label: 'Server', kind: 'select', path: at('provider', 'kind'), schemaDefault: 'existing',
      options: [{ label: 'an existing server', value: 'existing' }, { label: 'a new Hetzner Cloud server', value: 'hetzner' }],
    },
  ];
  if (hetzner) {
    fields.push(
      { id: 'serverType', label: 'Hetzner server type', kind: 'text', path: at('provider', 'serverType'), suggestion: 'cx23', help: 'cx23 (2 vCPU, 4 GB), cx33, cax21 (Arm) …' },
      { id: 'location', label: 'Hetzner location', kind: 'select', path: at('provider', 'location'), options: choice('fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin') },
      { id: 'image', label: 'Image', kind: 'select', path: at('provider', 'image'), options: choice('debian-13', 'debian-12', 'ubuntu-24.04') },
    );
  } else {
    fields.push({ id: 'address', label: 'Public address', kind: 'text', path: at('address'), help: 'IP or host name, e.g. 203.0.113.10' });
  }
  const usual: FieldSpec[] = [
    { id: 'port', label: 'SSH port today', kind: 'number', path: at('ssh', 'port'), suggestion: 22, schemaDefault: 22 },
    { id: 'targetPort', label: 'SSH port after hardening', kind: 'number', path: at('ssh', 'targetPort'), suggestion: 2222, schemaDefault: 22, help: 'proven from a second connection before the old port closes' },
    { id: 'user', label: 'Login user today', kind: 'text', path: at('ssh', 'user'), suggestion: 'root', schemaDefault: 'root' },
    { id: 'adminUser', label: 'Admin user to create', kind: 'text', path: at('ssh', 'adminUser'), suggestion: 'deploy', schemaDefault: 'deploy' },
    { id: 'sudo', label: 'sudo for the admin user', kind: 'select', path: at('ssh', 'sudo'), schemaDefault: 'nopasswd', options: [{ label: 'without password', value: 'nopasswd' }, { label: 'with a password (kept in the vault)', value: 'password' }] },
    { id: 'arch', label: 'Architecture', kind: 'select', path: at('arch'), schemaDefault: 'amd64', options: choice('amd64', 'arm64') },
    { id: 'os', label: 'Operating system', kind: 'select', path: at('os'), schemaDefault: 'debian-13', options: choice('debian-13', 'debian-12', 'ubuntu-24.04', 'ubuntu-22.04') },
  ];
  const v = (id: string) => String(shownValue(usual.find((f) => f.id === id) as FieldSpec, draft, existing));
  const summary = `SSH port ${v('port')} → ${v('targetPort')} after hardening, login ${v('user')}, admin user ${v('adminUser')} (sudo ${v('sudo') === 'password' ? 'with a password' : 'without password'}), ${v('os')} on ${v('arch')}`;
  fields.push({ id: 'usual', label: `Keep these settings? ${summary}`, kind: 'confirm', suggestion: true, help: 'n asks each one (ports, users, sudo, OS, architecture)' }, ...usual);
  return fields;
}

export function isUsualHostField(id: string): boolean {
  return USUAL.has(id);
}

/** The two ways to write, the profile's current form first (Enter keeps it), a switch spelled out. */
function writeOptions(form: 'plain' | 'encrypted', fileName: string | undefined): Option[] {
  const now = form === 'plain' ? 'plain' : 'encrypted';
  const keep = { label: `write the profile (${now}${fileName ? `, as now` : ''}) and the vault`, value: `write:${form}` };
  const other = form === 'plain' ? 'encrypted' : 'plain';
  const switchLabel = fileName
    ? `switch to ${other === 'plain' ? 'a plain profile (readable in git)' : 'an encrypted profile'} and write the vault (${fileName} is kept as ${fileName}.bak)`
    : `write ${other === 'plain' ? 'a plain profile (readable in git)' : 'the profile encrypted'} and the vault`;
  return [keep, { label: switchLabel, value: `write:${other}` }];
}

/** What the screens need to know beyond the draft: the profile's form on disk and the vault's keys (a re-run). */
export interface ScreenContext {
  readonly currentForm?: 'plain' | 'encrypted';
  readonly fileName?: string;
  readonly vaultKeys?: readonly string[];
  /** Names of the hosts the profile had when the wizard opened: their absent keys mean the schema's defaults. */
  readonly existingHosts?: readonly string[];
}

/**
 * LiteLLM's models, chosen by provider (the API keys screen then asks the keys of those providers),
 * its daily budget, and Qdrant's collections: asked where those services run.
 */
/** A list in the draft, or undefined when the draft has none there. */
const listAt = <T>(d: Draft, path: Path): T[] | undefined => (Array.isArray(getIn(d, path)) ? (getIn(d, path) as T[]) : undefined);

function aiFields(draft: Draft): FieldSpec[] {
  const fields: FieldSpec[] = [];
  const MODELS = ['litellm', 'models'];
  const COLLECTIONS = ['qdrant', 'collections'];
  if (usesService(draft, 'litellm')) {
    fields.push(
      {
        id: 'providers', label: 'Which AI providers do you have an API key for?', kind: 'multiselect',
        options: LITELLM_PROVIDERS.map((p) => ({ label: `${PROVIDER_LABELS[p]}: ${SUGGESTED_MODELS[p].map((m) => m.alias).join(', ')}`, value: p })),
        help: 'LiteLLM serves the models listed for each (litellm.models in the profile holds them; edit it for others)',
        read: (d) => {
          const models = listAt<SuggestedModel>(d, MODELS);
          return models && [...new Set(models.map((m) => m.provider))];
        },
        write: (d, value) => {
          const chosen = Array.isArray(value) ? value.map(String) : [];
          return setIn(d, MODELS, chosen.length === 0 ? undefined : modelsForProviders(listAt<SuggestedModel>(d, MODELS) ?? [], chosen));
        },
      },
      { id: 'budget', label: 'Daily spending cap for all models together (USD)', kind: 'number', path: ['litellm', 'budgets', 'globalDaily'], suggestion: 5, schemaDefault: 5 },
    );
  }
  if (usesService(draft, 'qdrant')) {
    fields.push({
      id: 'collections', label: `Create Qdrant's collections for LiteLLM's semantic cache and RAG (${SUGGESTED_COLLECTIONS.map((c) => c.name).join(', ')}; ${SUGGESTED_COLLECTIONS[0].dimensions} dimensions, for text-embedding-3-small)?`,
      kind: 'confirm', suggestion: true,
      read: (d) => {
        const collections = listAt(d, COLLECTIONS);
        return collections && collections.length > 0;
      },
      // An existing list the operator wrote is kept as it is; only "no" removes it.
      write: (d, value) => {
        if (value !== true) return setIn(d, COLLECTIONS, undefined);
        return (listAt(d, COLLECTIONS)?.length ?? 0) > 0 ? d : setIn(d, COLLECTIONS, SUGGESTED_COLLECTIONS.map((c) => ({ ...c })));
      },
    });
  }
  return fields;
}

export function screenFields(screen: ScreenId, draft: Draft, catalog: WizardCatalog, hostIndex = 0, context: ScreenContext = {}): FieldSpec[] {
  switch (screen) {
    case 'project':
      return [
        { id: 'name', label: 'Project name', kind: 'text', path: ['project', 'name'], suggestion: 'homelab', help: 'lower-case letters, digits, dashes' },
        { id: 'displayName', label: 'Display name', kind: 'text', path: ['project', 'displayName'], optional: true },
        { id: 'production', label: 'Is this production? (typed confirmation before redeploy and rollback)', kind: 'confirm', path: ['project', 'production'], suggestion: false, schemaDefault: false },
        { id: 'sshKey', label: 'Your SSH public key', kind: 'text', path: ['operator', 'sshPublicKeys', 0], help: 'installed for the admin user on every host' },
        { id: 'timezone', label: 'Time zone', kind: 'text', path: ['locale', 'timezone'], suggestion: 'UTC', schemaDefault: 'UTC' },
      ];
    case 'domain':
      return [
        { id: 'name', label: 'Main domain', kind: 'text', path: ['domain', 'name'], help: 'each service gets <subdomain>.<domain>' },
        { id: 'dns', label: 'DNS records', kind: 'select', path: ['domain', 'dnsProvider'], schemaDefault: 'manual', options: [{ label: 'managed through the OVH API', value: 'ovh' }, { label: 'I create them myself', value: 'manual' }] },
        {
          id: 'tls', label: 'TLS certificates', kind: 'select', path: ['domain', 'tls'], schemaDefault: 'acme-http',
          options: [
            { label: "Let's Encrypt over HTTP (port 80 open)", value: 'acme-http' },
            { label: "Let's Encrypt over OVH DNS (works for VPN-only sites)", value: 'acme-dns-ovh' },
            { label: "Caddy's internal CA (tests, private use)", value: 'internal' },
          ],
        },
      ];
    case 'hosts':
      return [
        {
          id: 'menu', label: 'Hosts', kind: 'menu',
          options: [
            ...hosts(draft).map((h, i) => ({ label: `edit ${h['name'] ?? `host ${i + 1}`} (${h['role'] ?? '?'}, ${h['address'] ?? h['provider']?.['kind'] ?? 'new'})`, value: `edit:${i}` })),
            ...hosts(draft).map((h, i) => ({ label: `remove ${h['name'] ?? `host ${i + 1}`}`, value: `remove:${i}` })),
            { label: '+ add a host', value: 'add' },
            { label: 'continue', value: 'done' },
          ],
        },
      ];
    case 'host':
      return hostFields(draft, hostIndex, (context.existingHosts ?? []).includes(String(hosts(draft)[hostIndex]?.['name'])));
    case 'vpn': {
      const fields: FieldSpec[] = [{ id: 'enabled', label: 'Join the hosts to a Headscale VPN mesh?', kind: 'confirm', path: ['vpn', 'enabled'], suggestion: false, schemaDefault: false }];
      if (getIn(draft, ['vpn', 'enabled']) === true) {
        fields.push(
          { id: 'url', label: 'Headscale URL', kind: 'text', path: ['vpn', 'headscaleUrl'], help: 'e.g. https://vpn.example.com', liveCheck: 'headscale' },
          {
            id: 'hub', label: 'Which host runs Headscale?', kind: 'select', path: ['vpn', 'hub'],
            options: [{ label: 'none of these (an existing Headscale)', value: '' }, ...hosts(draft).filter((h) => h['role'] === 'vpn-hub').map((h) => ({ label: String(h['name']), value: String(h['name']) }))],
          },
          { id: 'cidr', label: 'VPN range', kind: 'text', path: ['vpn', 'cidr'], suggestion: '100.64.0.0/10', schemaDefault: '100.64.0.0/10' },
        );
      }
      return fields;
    }
    case 'access':
      return [
        {
          id: 'mode', label: 'Who can reach the admin sites?', kind: 'select', path: ['access', 'mode'], schemaDefault: 'public',
          options: [{ label: 'anyone (public, behind each app’s login)', value: 'public' }, { label: 'only the VPN (vpn-only)', value: 'vpn-only' }],
        },
      ];
    case 'services':
      return hosts(draft).map((h, i) => {
        const role = String(h['role'] ?? '');
        const baseline = catalog.baselineForRole(role, getIn(draft, ['vpn', 'enabled']) === true);
        // Only a new host gets the baseline: a host of the existing profile (even one without a list) keeps what it has.
        const fresh = !Array.isArray(h['services']) && !(context.existingHosts ?? []).includes(String(h['name']));
        return {
          id: `host-${i}`, label: `Services on ${h['name'] ?? `host ${i + 1}`} (${h['role'] ?? '?'})`, kind: 'multiselect' as const,
          path: ['hosts', i, 'services'], options: catalog.servicesForRole(role), ...(fresh ? { suggestion: baseline } : {}),
          help: `${fresh ? `Pre-selected: the hardening baseline for a ${role} (${baseline.join(', ')}). ` : ''}Space toggles, Enter confirms; dependencies are added for you`,
        };
      });
    case 'notifications': {
      const method = getIn(draft, ['notifications', 'method']);
      const fields: FieldSpec[] = [
        { id: 'method', label: 'Where should alerts go?', kind: 'select', path: ['notifications', 'method'], schemaDefault: 'none', options: choice('telegram', 'email', 'webhook', 'none') },
      ];
      if (method === 'telegram') fields.push({ id: 'chat', label: 'Telegram chat id', kind: 'text', path: ['notifications', 'telegram', 'chatId'], help: 'digits, with a leading - for groups' });
      if (method !== 'none') fields.push({ id: 'email', label: 'Notification e-mail', kind: 'text', path: ['notifications', 'email'], optional: method !== 'email' });
      return fields;
    }
    case 'admins': {
      const fields: FieldSpec[] = [];
      if (usesService(draft, 'n8n')) {
        fields.push(
          { id: 'n8nEmail', label: 'n8n owner e-mail', kind: 'text', path: ['admins', 'n8nOwner', 'email'] },
          { id: 'n8nFirst', label: 'n8n owner first name', kind: 'text', path: ['admins', 'n8nOwner', 'firstName'] },
          { id: 'n8nLast', label: 'n8n owner last name', kind: 'text', path: ['admins', 'n8nOwner', 'lastName'] },
        );
      }
      if (usesService(draft, 'grafana')) fields.push({ id: 'grafana', label: 'Grafana admin user', kind: 'text', path: ['admins', 'grafanaUser'], suggestion: 'admin', schemaDefault: 'admin' });
      if (usesService(draft, 'litellm')) fields.push({ id: 'litellm', label: 'LiteLLM UI admin user', kind: 'text', path: ['admins', 'litellmUser'], suggestion: 'admin', schemaDefault: 'admin' });
      return fields;
    }
    case 'ai':
      return aiFields(draft);
    case 'api-keys':
      return catalog.externalSecrets(draft).map((s) => ({
        id: s.key, label: s.description, kind: 'secret' as const, secretKey: s.key, optional: s.optional,
        ...(s.liveCheck ? { liveCheck: s.liveCheck } : {}),
        help: (context.vaultKeys ?? []).includes(s.key) ? `vault key ${s.key}; already in the vault: Enter keeps it` : s.optional ? `vault key ${s.key}; leave empty to skip` : `vault key ${s.key}`,
      }));
    case 'internal-secrets': {
      const all = catalog.internalSecrets(draft);
      const missing = all.filter((s) => !(context.vaultKeys ?? []).includes(s.key));
      // Nothing to ask when the vault already holds every one (a re-run): the screen is skipped.
      if (missing.length === 0) return [];
      const kept = all.length - missing.length;
      return [
        {
          id: 'generate', kind: 'confirm', suggestion: true,
          label: `Generate the ${missing.length} ${kept > 0 ? 'missing ' : ''}internal secrets (database passwords, encryption keys)? Recommended.${kept > 0 ? ` (${kept} already in the vault are kept.)` : ''}`,
        },
      ];
    }
    case 'review':
      return [
        {
          id: 'action', label: 'Everything right?', kind: 'menu',
          options: [
            ...writeOptions(context.currentForm ?? 'encrypted', context.fileName),
            ...STEPS.filter((s) => s.id !== 'review' && s.id !== 'internal-secrets').map((s) => ({ label: `change: ${s.title}`, value: `goto:${s.id}` })),
            { label: 'quit without writing', value: 'quit' },
          ],
        },
      ];
  }
}
