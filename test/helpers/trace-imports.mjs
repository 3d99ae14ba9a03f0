// Loaded with `node --import`: reports every bare package a program imports (`IMPORT name`) and
// every file it loads (`FILE url`), on stderr, so a test can assert what a command path never
// loads (e.g. Ink and React for `init --answers`).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:') && !specifier.startsWith('data:')) {
    process.stderr.write('IMPORT ' + specifier + '\\n');
  }
  const resolved = await next(specifier, context);
  // The program's own files too (the bundle's chunks): proof that the hook sees its imports.
  if (resolved.url.startsWith('file:')) process.stderr.write('FILE ' + resolved.url + '\\n');
  return resolved;
}`),
);
