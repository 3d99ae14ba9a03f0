/**
 * Exit codes of the day-2 scripts (src/remote/day2-*.sh): outcomes are codes, never message text:
 * a caller reads the code, a person reads the words.
 */

/** A failed health gate after which what ran before runs again, healthy. */
export const EXIT_GATE_RESTORED = 3;
/** A failed health gate after which what ran before did NOT come back healthy: someone must look. */
export const EXIT_GATE_NOT_RESTORED = 4;
