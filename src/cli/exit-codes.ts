export const EXIT_OK = 0;
/** Findings at or above --fail-on (or new ones with --fail-on-new). */
export const EXIT_FINDINGS = 1;
/** Bad input, unusable credentials, or an internal error. */
export const EXIT_ERROR = 2;

/**
 * The "Exit codes:" block at the end of a command's --help. Scripts and schedulers branch on these,
 * and "1 means findings, not failure" is the one people get wrong, so every command states its own.
 */
export function exitCodesHelp(meanings: Readonly<Partial<Record<0 | 1 | 2, string>>>): string {
  const lines = ([0, 1, 2] as const).filter((c) => meanings[c] !== undefined).map((c) => `  ${c}  ${meanings[c]}`);
  return `\nExit codes:\n${lines.join('\n')}`;
}
