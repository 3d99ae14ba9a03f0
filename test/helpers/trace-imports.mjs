// Loaded with `node --import`: reports every bare package a program imports, on stderr, so a
// test can assert what a command path never loads (e.g. Ink and React for `init --answers`).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:') && !specifier.startsWith('data:')) {
    process.stderr.write('IMPORT ' + specifier + '\\n');
  }
  return next(specifier, context);
}`),
);
