// boundaryCoverageNotes keeps its answer per Deny action lists (alike principals' boundaries have
// the same lists): kept or fresh, the notes must be the same, whatever was asked before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundaryCoverageNotes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument, Statement } from '../../src/model/policy.js';

const expander = new ActionExpander(catalog());
const PATTERNS = ['ec2:Delete*', 'ec2:TerminateInstances', 's3:DeleteBucket', 's3:Delete*', 'iam:*', 'iam:Put*', 'rds:Stop*', 'lambda:DeleteFunction', 'dynamodb:DeleteTable', 'sqs:*', '*:Delete*'];
const denyArb = fc.record({
  sid: fc.constantFrom('NeedsApproval', 'DeniedOutright', 'NoTampering', 'KeptFromCurrent1'),
  list: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 6 }),
  not: fc.integer({ min: 0, max: 5 }).map((x) => x === 0),
}).map((d): Statement => ({ index: 0, sid: d.sid, effect: 'Deny', ...(d.not ? { notAction: d.list } : { action: d.list }), resource: ['*'] }));
const boundaryArb: fc.Arbitrary<PolicyDocument> = fc.tuple(fc.boolean(), fc.array(denyArb, { minLength: 1, maxLength: 3 })).map(([allowAll, denies]) => ({
  version: '2012-10-17',
  statements: [{ index: 0, sid: 'AllowAllElse', effect: 'Allow' as const, action: allowAll ? ['*'] : ['s3:GetObject'], resource: ['*'] }, ...denies].map((s, i) => ({ ...s, index: i })),
}));

describe('boundaryCoverageNotes, kept per deny lists', () => {
  it('says what a fresh computation says (property)', () => {
    fc.assert(fc.property(fc.array(boundaryArb, { minLength: 1, maxLength: 4 }), (boundaries) => {
      for (const b of boundaries) {
        const kept = boundaryCoverageNotes(b, expander);
        // Another expander has its own memo: its first answer for these lists is computed afresh.
        expect(kept).toEqual(boundaryCoverageNotes(b, new ActionExpander(expander.catalog)));
        kept.push('changed by the caller');
        expect(boundaryCoverageNotes(structuredClone(b), expander)).not.toContain('changed by the caller');
      }
    }), { numRuns: 60, seed: 20261204 });
  });

  it('notes both what the wildcards add and what is left out (cases the property meets)', () => {
    const doc = (deny: string[]): PolicyDocument => ({ version: '2012-10-17', statements: [
      { index: 0, sid: 'AllowAllElse', effect: 'Allow', action: ['*'], resource: ['*'] },
      { index: 1, sid: 'NeedsApproval', effect: 'Deny', action: deny, resource: ['*'] },
    ] });
    const wide = boundaryCoverageNotes(doc(['*:Delete*', 'iam:*']), expander);
    expect(wide.some((n) => n.includes('also cover'))).toBe(true);
    expect(boundaryCoverageNotes(doc(['s3:DeleteBucket']), expander).some((n) => n.includes('would not need approval'))).toBe(true);
  });
});
