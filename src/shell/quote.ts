/**
 * The one place where argv tokens become shell text. Every remote command goes through here, so
 * quoting is decided once and tested once (Kamal quotes by hand in several places; we do not).
 */

/** Characters that never need quoting in a POSIX shell word. */
const SAFE_TOKEN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One token as a POSIX shell word: bare when safe, else single-quoted (`'` becomes `'\''`). */
export function quoteToken(token: string): string {
  if (typeof token !== 'string') {
    // argv is typed `readonly string[]`; this guards against casts that smuggle a Secret or a number in.
    throw new TypeError(`argv tokens must be strings, got ${typeof token}`);
  }
  if (token === '') return "''";
  if (SAFE_TOKEN.test(token)) return token;
  return `'${token.replaceAll("'", `'\\''`)}'`;
}

/** An argv array as one shell command line; the tokens reach the program exactly as given. */
export function quote(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('a command needs at least one token');
  return argv.map(quoteToken).join(' ');
}
