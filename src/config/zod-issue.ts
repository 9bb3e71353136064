// One wording for zod issues in InputErrors: "<file> at <path>: expected <what>, got <value>".
// zod's own messages start with "Invalid input: expected …", which read as "expected expected …"
// once InputError adds its prefix.
import type { z } from 'zod';
import { describeValue, valueAt } from '../model/errors.js';
import { redact } from '../collect/local/redact.js';

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** What the schema wanted at the issue's path, phrased to follow "expected". */
export function issueExpected(issue: z.core.$ZodIssue): string {
  // A message written in the schema ({ error: '…' }) already says what was expected.
  if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return article(issue.expected);
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return 'only known keys (see README, Configuration)';
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `a string matching ${String(issue.pattern)}` : `a valid ${issue.format}`;
    case 'too_small':
      return issue.origin === 'string' ? 'a non-empty string' : issue.origin === 'array' ? `at least ${String(issue.minimum)} item(s)` : `a number ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `at most ${String(issue.maximum)}`;
    default:
      return issue.message.replace(/^Invalid input: (expected )?/, '');
  }
}

/** The path to point at: an unknown key's own line rather than its parent's. */
export function issueLocation(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]!] : [...issue.path];
}

/** What the input held at the issue's path ("got …"), with any credential in it masked. */
export function issueGot(data: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return redact(`unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`);
  return redact(describeValue(valueAt(data, issue.path)));
}
