import { LIB_PROGRESS } from '../remote/generated-scripts.js';

/**
 * A remote script says what it is waiting for (the dpkg lock, a health gate) on a stdout line of
 * its own that starts with this mark. The engine turns such a line into a `step-progress` event,
 * which every view shows while the step runs (other remote output only with --verbose). Stdout,
 * not stderr: scripts capture a gate's stderr as the reason it failed.
 */
export const PROGRESS_MARK = 'hlw-progress: ';

/** Shell: `hlw_progress TEXT...` prints one progress line (src/remote/lib/progress.sh). */
export const PROGRESS_FN = LIB_PROGRESS;

/** The message of a progress line, or undefined for any other line. */
export function progressMessage(line: string): string | undefined {
  return line.startsWith(PROGRESS_MARK) ? line.slice(PROGRESS_MARK.length) : undefined;
}
