import { quote, quoteToken } from './quote.js';

/** `sh -c 'script' name arg…`: a fixed script with its values passed as positional parameters ($1…). */
export function shScript(script: string, name: string, args: readonly string[]): string[] {
  return ['sh', '-c', script, name, ...args];
}

/** A shell test that the output of a read-only command equals a value, as argv for a step's check. */
export function outputEquals(argv: readonly string[], expected: string): string[] {
  return ['sh', '-c', `[ "$(${quote(argv)} 2>/dev/null)" = ${quoteToken(expected)} ]`];
}
