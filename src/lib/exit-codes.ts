export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** `plan` found changes, or `status` found drift or an unhealthy service. */
export const EXIT_CHANGES = 2;
export const EXIT_ABORTED = 130;
