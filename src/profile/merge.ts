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

/** The text to write: a new document, or the existing one with the updates merged in. */
export function mergeProfileText(existingText: string | undefined, updates: Record<string, unknown>): string {
  if (existingText === undefined) return profileText(newProfileDocument(updates));
  const doc = parseDocument(existingText);
  mergeIntoDocument(doc, updates);
  return profileText(doc);
}
