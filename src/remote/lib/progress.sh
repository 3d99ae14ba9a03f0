# Progress lines: a remote script says what it is waiting for (the dpkg lock, a health gate) on a
# stdout line of its own that starts with `hlw-progress: ` (PROGRESS_MARK in src/shell/progress.ts;
# a test checks they agree). The engine shows such a line while the step runs.
#
# hlw_progress TEXT...: prints one progress line.
# shellcheck disable=SC2317 # a library function: not every script that includes it calls it
hlw_progress() { printf 'hlw-progress: %s\n' "$*"; }
