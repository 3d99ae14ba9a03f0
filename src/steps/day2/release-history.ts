import { WizardError } from '../../errors.js';
import type { HostRelease, HostSnapshot } from './host-snapshot.js';

/** One line of the host's `history.jsonl`: a release became current. */
export interface HistoryEntry {
  readonly at: string;
  readonly release: string;
  /** `owner@machine` from the lock of the run that switched; undefined when it had none. */
  readonly who?: string;
  readonly command?: string;
}

/** Lines that are not ours (a hand edit, a cut line) are skipped, never fatal: history is informative. */
export function parseHistory(text: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const raw = JSON.parse(line) as { at?: unknown; release?: unknown; by?: { owner?: unknown; operatorHost?: unknown; command?: unknown } | null };
      if (typeof raw.at !== 'string' || typeof raw.release !== 'string') continue;
      const by = raw.by && typeof raw.by === 'object' ? raw.by : undefined;
      out.push({
        at: raw.at,
        release: raw.release,
        ...(by && typeof by.owner === 'string' ? { who: `${by.owner}@${typeof by.operatorHost === 'string' ? by.operatorHost : '?'}` } : {}),
        ...(by && typeof by.command === 'string' ? { command: by.command } : {}),
      });
    } catch {
      continue;
    }
  }
  return out;
}

/** A release as `rollback` lists it. */
export interface ReleaseRow {
  readonly id: string;
  readonly current: boolean;
  /** When it last became current, and by whom; undefined when history does not know it. */
  readonly lastActive?: HistoryEntry;
  /** service → image, from its release.json. */
  readonly versions: Readonly<Record<string, string>>;
  readonly restorable: boolean;
}

/** Releases on the host, the most recently active first (history), then by folder time. */
export function listReleases(snapshot: HostSnapshot): ReleaseRow[] {
  const last = new Map<string, { entry: HistoryEntry; index: number }>();
  snapshot.history.forEach((entry, index) => last.set(entry.release, { entry, index }));
  const rows = snapshot.releases.map((r) => ({ r, seen: last.get(r.id) }));
  rows.sort((a, b) => (b.seen?.index ?? -1) - (a.seen?.index ?? -1) || b.r.mtime - a.r.mtime || a.r.id.localeCompare(b.r.id));
  return rows.map(({ r, seen }) => ({
    id: r.id,
    current: r.id === snapshot.current,
    ...(seen ? { lastActive: seen.entry } : {}),
    versions: Object.fromEntries(Object.entries(r.manifest?.services ?? {}).map(([id, s]) => [id, s.image])),
    restorable: r.manifest !== undefined,
  }));
}

/**
 * The release `rollback` goes back to: `--to` when given (an unknown id lists the valid ones), else
 * the one that was current before the current one (history, newest first), else the newest other
 * folder.
 */
export function selectRelease(snapshot: HostSnapshot, to: string | undefined): HostRelease {
  const byId = new Map(snapshot.releases.map((r) => [r.id, r]));
  const valid = listReleases(snapshot).filter((r) => r.restorable);
  if (to !== undefined) {
    const found = byId.get(to) ?? (to.length >= 4 ? snapshot.releases.filter((r) => r.id.startsWith(to)).at(0) : undefined);
    if (!found || !found.manifest) {
      throw new WizardError('release-unknown', `--to: no release '${to}' on this host${found ? ' with a release.json' : ''}`, `releases you can go back to: ${valid.map((r) => r.id).join(', ') || 'none'}`);
    }
    return found;
  }
  for (let i = snapshot.history.length - 1; i >= 0; i--) {
    const entry = snapshot.history[i] as HistoryEntry;
    const r = byId.get(entry.release);
    if (entry.release !== snapshot.current && r?.manifest) return r;
  }
  const other = [...snapshot.releases].filter((r) => r.id !== snapshot.current && r.manifest).sort((a, b) => b.mtime - a.mtime)[0];
  if (!other) throw new WizardError('release-unknown', 'there is no earlier release on this host to go back to', 'releases are kept by deploy.keepReleases; `rollback --json` lists what is there');
  return other;
}
