// Patterns a user writes in leash.config.yaml (agent name patterns, extra user-agent signatures,
// declared/baseline globs) run on data an attacker may control (IAM names, user agents). A
// backtracking engine can take exponential time on them (`^(a+)+$` never ends on 64 characters),
// so regexes run on RE2 semantics (re2js, a linear-time automaton: no look-around, no
// back-references) and globs on a matcher with one backtrack point (time ≤ pattern × subject).
import { RE2JS } from 're2js';
import { globMatchLinear } from '../iam/pattern.js';

/** Longest pattern accepted in the config. */
export const MAX_PATTERN_LENGTH = 512;
/** Largest compiled RE2 program accepted (instructions); bounds memory and per-character work. */
export const MAX_PROGRAM_SIZE = 5_000;

export interface LinearPattern {
  readonly source: string;
  /** Does the pattern match anywhere in `s` (like RegExp.prototype.test)? Linear in `s`. */
  test(s: string): boolean;
}

const cache = new Map<string, LinearPattern>();

/** Why `source` cannot be a config regex, or undefined when it can. */
export function linearRegexProblem(source: string): string | undefined {
  if (source.length === 0) return 'the pattern is empty';
  if (source.length > MAX_PATTERN_LENGTH) return `the pattern has ${source.length} characters, more than ${MAX_PATTERN_LENGTH}`;
  try {
    const p = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
    if (p.programSize() > MAX_PROGRAM_SIZE) return `the pattern compiles to ${p.programSize()} instructions, more than ${MAX_PROGRAM_SIZE} (lower its repetition counts)`;
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^error parsing regexp: /, '');
  }
}

/**
 * Compile a case-insensitive config regex for the linear-time engine. Throws with the reason when
 * the pattern is outside RE2 syntax or over the limits; config loading checks this first.
 */
export function linearRegex(source: string): LinearPattern {
  let p = cache.get(source);
  if (p) return p;
  const problem = linearRegexProblem(source);
  if (problem !== undefined) throw new Error(`pattern /${source.slice(0, 80)}/ cannot be used: ${problem}`);
  const re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  p = { source, test: (s: string) => re.test(s) };
  if (cache.size > 1_000) cache.clear();
  cache.set(source, p);
  return p;
}

/**
 * Glob match (`*` any run, `?` one character) without a regex: one backtrack point (the last
 * `*`), so the work is at most pattern length × subject length, whatever the pattern.
 */
export function globMatches(glob: string, subject: string, ignoreCase = false): boolean {
  return globMatchLinear(glob, subject, ignoreCase);
}
