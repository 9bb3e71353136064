export const EXIT_OK = 0;
/** Findings at or above --fail-on (or new ones with --fail-on-new). */
export const EXIT_FINDINGS = 1;
/** Bad input, unusable credentials, or an internal error. */
export const EXIT_ERROR = 2;
