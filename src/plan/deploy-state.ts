/**
 * `state.json` on a managed host (DESIGN §4): what the last deploy put there. Written by the deploy
 * phase, read back by `status` (and by whatever shows what runs on a host) to tell drift apart.
 */
export interface DeployState {
  /** The release `current` should point to. */
  readonly release: string;
  /** Per compose service: the image it was deployed with, and the hash of its inputs. */
  readonly services: Readonly<Record<string, { readonly image: string; readonly inputs: string }>>;
  /** Per file of the release (path relative to the release folder): its sha256. */
  readonly files: Readonly<Record<string, string>>;
}

/** Parse state.json text; undefined when it is not one of ours (or an older one without checksums). */
export function parseDeployState(text: string): DeployState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['release'] !== 'string' || typeof v['services'] !== 'object' || v['services'] === null) return undefined;
  const services: Record<string, { image: string; inputs: string }> = {};
  for (const [id, s] of Object.entries(v['services'] as Record<string, unknown>)) {
    const r = (s ?? {}) as Record<string, unknown>;
    if (typeof r['image'] !== 'string') return undefined;
    services[id] = { image: r['image'], inputs: typeof r['inputs'] === 'string' ? r['inputs'] : '' };
  }
  const files: Record<string, string> = {};
  if (typeof v['files'] === 'object' && v['files'] !== null) {
    for (const [path, sha] of Object.entries(v['files'] as Record<string, unknown>)) if (typeof sha === 'string') files[path] = sha;
  }
  return { release: v['release'], services, files };
}
