// coveringStatementsOf answers "which statements cover this action" by bit tests on the sets a
// document's summary computed; the reference is statementCovers (pattern matching) per statement.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/iam/catalog.js';
import { coveringStatementsOf, summarizeDocument } from '../../src/iam/effective.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander, statementCovers } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import { policyArb } from '../support/arbitraries.js';
import { askedActionArb, oddActionPatternArb } from '../support/catalog-arbitraries.js';

const oddStatementArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'), key: fc.constantFrom('Action', 'NotAction'),
  patterns: fc.array(oddActionPatternArb, { minLength: 1, maxLength: 4 }),
  Condition: fc.option(fc.constant({ StringEquals: { 'aws:PrincipalTag/team': 'data' } }), { nil: undefined }),
}).map(({ key, patterns, Condition, ...rest }) => ({ ...rest, [key]: patterns, Resource: '*', ...(Condition ? { Condition } : {}) }));

describe('coveringStatementsOf', () => {
  it('equals statementCovers per statement, summarized or not, for any asked action', () => {
    const shared = new ActionExpander(catalog());
    fc.assert(
      fc.property(policyArb(), fc.array(oddStatementArb, { maxLength: 4 }), fc.array(askedActionArb, { minLength: 1, maxLength: 12 }), fc.constantFrom('shared', 'fresh', 'none'), (generated, odd, actions, summarize) => {
        const parsed = parsePolicy({ ...generated, Statement: [...generated.Statement, ...odd] }, 'identity');
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
        const doc: PolicyDocument = parsed.document;
        if (summarize !== 'none') summarizeDocument(doc, summarize === 'shared' ? shared : new ActionExpander(catalog()));
        for (const action of actions) expect(coveringStatementsOf(doc, action)).toEqual(doc.statements.filter((s) => statementCovers(s, action)));
      }),
      { numRuns: 500, seed: 16 },
    );
  });
});
