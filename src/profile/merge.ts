import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { SCHEMA_HEADER } from './json-schema.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nameOf(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (isMap(value)) return (value as YAMLMap).get('name');
  return isRecord(value) ? value['name'] : undefined;
}

/**
 * Writes `updates` into an existing profile document, keeping everything the updates do not
 * mention: unknown keys, `x-` notes, comments, and per-service overrides of services that stay.
 * Hosts are matched by name. This is why re-running init never drops a key (vpai-system §1.6).
 */
export function mergeIntoDocument(doc: Document, updates: Record<string, unknown>): void {
  if (isMap(doc.contents)) mergeMap(doc, doc.contents as YAMLMap, updates);
  else doc.contents = doc.createNode(updates);
}

function mergeMap(doc: Document, map: YAMLMap, updates: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(updates)) {
    const current = map.get(key, true);
    if (key === 'hosts' && Array.isArray(value) && isSeq(current)) mergeHosts(doc, current as YAMLSeq, value);
    else if (key === 'services' && Array.isArray(value) && isSeq(current)) mergeServices(doc, current as YAMLSeq, value);
    else if (isRecord(value) && isMap(current)) mergeMap(doc, current as YAMLMap, value);
    // Change a scalar in place so its comment stays with it.
    else if (isScalar(current) && (value === null || typeof value !== 'object')) current.value = value;
    else map.set(key, doc.createNode(value));
  }
}

function mergeHosts(doc: Document, seq: YAMLSeq, hosts: unknown[]): void {
  seq.items = hosts.map((host) => {
    const old = seq.items.find((item) => isMap(item) && nameOf(item) === nameOf(host));
    if (!old || !isRecord(host)) return doc.createNode(host);
    mergeMap(doc, old as YAMLMap, host);
    return old;
  }) as typeof seq.items;
}

function mergeServices(doc: Document, seq: YAMLSeq, services: unknown[]): void {
  seq.items = services.map((svc) => {
    const old = seq.items.find((item) => nameOf(item) === nameOf(svc));
    // A bare name keeps the overrides the profile already had for that service.
    if (old !== undefined && typeof svc === 'string') return old;
    if (isMap(old) && isRecord(svc)) {
      mergeMap(doc, old as YAMLMap, svc);
      return old;
    }
    return doc.createNode(svc);
  }) as typeof seq.items;
}

/** A new profile document with the schema header for editor completion. */
export function newProfileDocument(profile: Record<string, unknown>): Document {
  const doc = new Document(profile);
  doc.commentBefore = SCHEMA_HEADER.replace(/^#/, '');
  return doc;
}

export function profileText(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}

/**
 * The document as text in the existing file's own flow style. The yaml package writes every flow
 * collection one way (`[ a, b ]` or `[a, b]`), while a hand-written file often mixes both; so both
 * forms are rendered (they break lines alike) and each line takes the form the file already has,
 * else the file's more common one. An untouched line then never shows up in the diff.
 */
function textInStyleOf(doc: Document, existingText: string): string {
  const padded = doc.toString({ lineWidth: 0, flowCollectionPadding: true }).split('\n');
  const tight = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).split('\n');
  if (padded.length !== tight.length) return padded.join('\n');
  const known = new Set(existingText.split('\n'));
  const paddedCount = (existingText.match(/[[{] [^\s\]}]/g) ?? []).length;
  const tightCount = (existingText.match(/[[{][^\s\]}]/g) ?? []).length;
  const preferTight = tightCount > paddedCount;
  return padded
    .map((line, i) => {
      const other = tight[i] ?? line;
      if (known.has(line)) return line;
      if (known.has(other)) return other;
      return preferTight ? other : line;
    })
    .join('\n');
}

/** Key order of the examples, so a profile written by the wizard reads like them; other keys follow. */
const TOP_ORDER = ['schemaVersion', 'project', 'domain', 'access', 'operator', 'hosts', 'vpn', 'notifications', 'admins', 'images', 'backups', 'locale', 'providers', 'deploy'];
const HOST_ORDER = ['name', 'role', 'address', 'os', 'arch', 'ssh', 'provider', 'docker', 'tailscaleIp', 'services'];
const SSH_ORDER = ['port', 'targetPort', 'user', 'adminUser', 'sudo', 'jumpHost'];

function ordered(value: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => rank(a) - rank(b)));
}

export function inExampleOrder(profile: Record<string, unknown>): Record<string, unknown> {
  const top = ordered(profile, TOP_ORDER);
  if (Array.isArray(top['hosts'])) {
    top['hosts'] = top['hosts'].map((host: unknown) => {
      if (!isRecord(host)) return host;
      const h = ordered(host, HOST_ORDER);
      if (isRecord(h['ssh'])) h['ssh'] = ordered(h['ssh'], SSH_ORDER);
      return h;
    });
  }
  return top;
}

/** The text to write: a new document, or the existing one with the updates merged in. */
export function mergeProfileText(existingText: string | undefined, answers: Record<string, unknown>): string {
  const updates = inExampleOrder(answers);
  if (existingText === undefined) return profileText(newProfileDocument(updates));
  const doc = parseDocument(existingText);
  mergeIntoDocument(doc, updates);
  return textInStyleOf(doc, existingText);
}
