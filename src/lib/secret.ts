/**
 * A secret value that cannot leak by accident: it prints, serialises and inspects as `[redacted]`.
 * The only way to the plaintext is `reveal()`, which call sites use where the value becomes
 * file content (mode 0600) or stdin; never argv, logs, JSON output or error messages.
 */
const REDACTED = '[redacted]';
const values = new WeakMap<Secret, string>();

export class Secret {
  private constructor(value: string) {
    values.set(this, value);
    Object.freeze(this);
  }

  static of(value: string): Secret {
    return new Secret(value);
  }

  reveal(): string {
    return values.get(this) as string;
  }

  /** A new Secret derived from this one (a URL that embeds a password stays secret). */
  map(transform: (value: string) => string): Secret {
    return Secret.of(transform(this.reveal()));
  }

  get length(): number {
    return this.reveal().length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/** Replace every occurrence of the given secret values in a text (for logs and remote output). */
export function redact(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  const plain = [...secrets].map((s) => s.reveal()).filter((v) => v.length >= 4);
  // Longest first, so a secret that contains another is replaced whole.
  plain.sort((a, b) => b.length - a.length);
  for (const value of plain) out = out.split(value).join(REDACTED);
  return out;
}
