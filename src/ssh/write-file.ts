import type { FileSpec } from '../plan/step.js';
import { shScript } from '../shell/script.js';

/**
 * The remote half of an upload, run as root with the content on stdin: write a temp file in the
 * target's folder (umask 077, so never readable by others meanwhile), set owner and mode, then
 * rename it into place. A missing folder is an error: unlike SFTP putFile, nothing is created.
 */
export const WRITE_FILE_SCRIPT = [
  'set -eu',
  'umask 077',
  't=$(mktemp -- "$(dirname -- "$1")/.hlw-write.XXXXXX")',
  "trap 'rm -f -- \"$t\"' EXIT",
  'cat > "$t"',
  'chown -- "$3" "$t"',
  'chmod -- "$2" "$t"',
  'mv -f -- "$t" "$1"',
  'trap - EXIT',
].join('\n');

export function writeFileArgv(file: Pick<FileSpec, 'path' | 'mode' | 'owner'>): string[] {
  if (!file.path.startsWith('/') || file.path.split('/').includes('..')) throw new TypeError(`file paths must be absolute, without '..': ${file.path}`);
  if (!/^[0-7]{3,4}$/.test(file.mode)) throw new TypeError(`file mode must be octal such as 0644: ${file.mode}`);
  return shScript(WRITE_FILE_SCRIPT, 'hlw-write', [file.path, file.mode, file.owner]);
}
