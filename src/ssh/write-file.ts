import { WRITE_FILE } from '../remote/generated-scripts.js';
import type { FileSpec } from '../plan/step.js';
import { shScript } from '../shell/script.js';

/** The remote half of an upload (src/remote/write-file.sh): content on stdin, written through a temp file. */
export const WRITE_FILE_SCRIPT = WRITE_FILE;

export function writeFileArgv(file: Pick<FileSpec, 'path' | 'mode' | 'owner'>): string[] {
  if (!file.path.startsWith('/') || file.path.split('/').includes('..')) throw new TypeError(`file paths must be absolute, without '..': ${file.path}`);
  if (!/^[0-7]{3,4}$/.test(file.mode)) throw new TypeError(`file mode must be octal such as 0644: ${file.mode}`);
  return shScript(WRITE_FILE_SCRIPT, 'hlw-write', [file.path, file.mode, file.owner]);
}
