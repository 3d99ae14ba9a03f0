/** `sh -c 'script' name arg…`: a fixed script with its values passed as positional parameters ($1…), never spliced into it. */
export function shScript(script: string, name: string, args: readonly string[]): string[] {
  return ['sh', '-c', script, name, ...args];
}
