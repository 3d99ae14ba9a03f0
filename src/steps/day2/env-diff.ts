/** Variable → its quoted value as written; comments and blank lines ignored. */
function entries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

export interface EnvKeyDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** Which variables of an env file differ: names only, so the diff can be shown without any value. */
export function envKeyDiff(before: string, after: string): EnvKeyDiff {
  const a = entries(before);
  const b = entries(after);
  return {
    added: [...b.keys()].filter((k) => !a.has(k)).sort(),
    removed: [...a.keys()].filter((k) => !b.has(k)).sort(),
    changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).sort(),
  };
}

export function describeEnvDiff(d: EnvKeyDiff): string[] {
  return [...d.added.map((k) => `+ ${k}`), ...d.removed.map((k) => `- ${k}`), ...d.changed.map((k) => `~ ${k} (value changed)`)];
}
