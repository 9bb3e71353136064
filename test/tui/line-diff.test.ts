import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { diffLines, diffStats } from '../../src/tui/line-diff.js';
import type { DiffLine } from '../../src/tui/line-diff.js';
import { sharedFixture, sharedFixturesPresent, SKIP_REASON } from '../support/fixtures.js';
import { readFileSync } from 'node:fs';

const side = (d: readonly DiffLine[], keep: 'add' | 'remove') => d.filter((l) => l.op !== keep).map((l) => l.text);
const before = (d: readonly DiffLine[]) => side(d, 'add');
const after = (d: readonly DiffLine[]) => side(d, 'remove');

/** Reference LCS length, the textbook way, for comparing minimality on small inputs. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
  return t[a.length]![b.length]!;
}

const lines = fc.array(fc.constantFrom('{', '}', '"Effect": "Allow",', '"Action": "s3:*",', '"Resource": "*"', ''), { maxLength: 30 });

describe('diffLines', () => {
  it('reproduces both sides exactly', () => {
    fc.assert(fc.property(lines, lines, (a, b) => {
      const d = diffLines(a, b);
      expect(before(d)).toEqual(a);
      expect(after(d)).toEqual(b);
    }));
  });

  it('keeps a longest common subsequence unchanged (the diff is minimal)', () => {
    fc.assert(fc.property(lines, lines, (a, b) => {
      expect(diffStats(diffLines(a, b)).same).toBe(lcsLength(a, b));
    }));
  });

  it('shows a changed line as removal then addition', () => {
    // Given one statement whose Effect flips
    const d = diffLines(['{', '"Effect": "Allow"', '}'], ['{', '"Effect": "Deny"', '}']);
    // Then the old line comes first, the new one after, context around them
    expect(d).toEqual([
      { op: 'same', text: '{' },
      { op: 'remove', text: '"Effect": "Allow"' },
      { op: 'add', text: '"Effect": "Deny"' },
      { op: 'same', text: '}' },
    ]);
  });

  it('still reproduces both sides when the inputs exceed the table budget', () => {
    const a = Array.from({ length: 2100 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 2100 }, (_, i) => `b${i}`);
    const d = diffLines(['head', ...a, 'tail'], ['head', ...b, 'tail']);
    expect(before(d)).toEqual(['head', ...a, 'tail']);
    expect(after(d)).toEqual(['head', ...b, 'tail']);
    expect(diffStats(d)).toEqual({ added: 2100, removed: 2100, same: 2 });
  });

  describe.skipIf(!sharedFixturesPresent)(`on real AWS managed policies${sharedFixturesPresent ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
    it('diffs PowerUserAccess against ReadOnlyAccess and reproduces both', () => {
      const all = JSON.parse(readFileSync(sharedFixture('aws-managed-policies/aws-managed-policies.json'), 'utf8')) as Record<string, { document: unknown }>;
      const pua = JSON.stringify(all.PowerUserAccess!.document, null, 2).split('\n');
      const ro = JSON.stringify(all.ReadOnlyAccess!.document, null, 2).split('\n');
      const d = diffLines(pua, ro);
      expect(before(d)).toEqual(pua);
      expect(after(d)).toEqual(ro);
      expect(diffStats(d).added).toBeGreaterThan(1000);
    });
  });
});
