import { parse, stringify } from 'yaml';
import { NETWORKS } from '../../catalog/networks.js';

type ComposeDoc = { name?: string; services?: Record<string, unknown>; networks?: Record<string, unknown> };

function parseCompose(text: string, what: string): ComposeDoc {
  const doc = parse(text, { version: '1.1' }) as unknown;
  if (doc === null || typeof doc !== 'object') throw new Error(`${what} is not a compose file`);
  return doc as ComposeDoc;
}

/** The image of one service in a compose file's text, if it has that service. */
export function composeImage(text: string | undefined, service: string): string | undefined {
  if (text === undefined) return undefined;
  const def = parseCompose(text, 'the compose file').services?.[service] as { image?: unknown } | undefined;
  return typeof def?.image === 'string' ? def.image : undefined;
}

export function composeHas(text: string | undefined, service: string): boolean {
  return text !== undefined && parseCompose(text, 'the compose file').services?.[service] !== undefined;
}

/**
 * `base` with the definition of `service` taken from `source`: every other service keeps exactly
 * the definition it runs with. Written like the renderer writes (YAML 1.1, no line width, networks
 * in catalogue order), so when the result equals a full render, the bytes are equal too and a later
 * `apply` sees the same release. Values are already `$`-escaped in both texts and stay so.
 */
export function replaceComposeService(base: string, source: string, service: string): string {
  const doc = parseCompose(base, 'the running compose file');
  const from = parseCompose(source, 'the new compose file');
  const def = from.services?.[service];
  const services: Record<string, unknown> = { ...(doc.services ?? {}) };
  if (def === undefined) delete services[service];
  else services[service] = def;
  const networks: Record<string, unknown> = { ...(doc.networks ?? {}), ...(from.networks ?? {}) };
  const used = new Set(Object.values(services).flatMap((s) => ((s as { networks?: unknown }).networks as string[] | undefined) ?? []));
  const order: string[] = NETWORKS.map((n) => n.name);
  const kept = Object.keys(networks).filter((n) => used.has(n)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const out = { ...(doc.name !== undefined ? { name: doc.name } : {}), services, networks: Object.fromEntries(kept.map((n) => [n, networks[n]])) };
  return stringify(out, { version: '1.1', lineWidth: 0 });
}

/** Whether a service is defined the same in two compose texts (both absent counts as the same). */
export function sameDefinition(a: string | undefined, b: string | undefined, service: string): boolean {
  const def = (text: string | undefined): string => (text === undefined ? '' : JSON.stringify(parseCompose(text, 'the compose file').services?.[service] ?? null));
  return def(a) === def(b);
}
