// Where a grant applies when more than one Allow layer decides (session 41, src/checks/scope.ts
// `grantScope`): the request evaluator allows an action only where the identity policies, the
// permissions boundary and every SCP level each allow it, so what leash says is the intersection
// of their patterns (iam/arn-intersect.ts), not the first scoped layer's. Session 40 showed the
// identity's `table/prod-orders` beside a boundary allowing only `table/dev-*` (allowed nowhere)
// as production, and `table/kiro-*` beside a boundary on `table/*-scratch` as all of kiro-*.
// Controls: a wide layer, an SCP `*`, a conditional (tag-scoped) statement and a policy variable
// narrow nothing. Through the real analysis; properties against the request evaluator.
import { describe, expect, it } from 'vitest';
import { allow, doc, type AccountSpec } from '../graph/accounts.js';
import { deleteTable, table } from '../support/tier-scope.js';
import { agent, destructive } from '../support/deny-scope.js';

/** Severity and the title's tail after "without approval". */
const verdict = (spec: AccountSpec) => destructive(spec).map((f) => [f.severity, f.title.replace(/^.*without approval,? ?/, '')]);
const cap = (...statements: unknown[]) => doc(...statements);
const TAGGED = { StringEquals: { 'aws:ResourceTag/env': 'dev' } };

describe('identity ∩ boundary', () => {
  it('prod-orders in the identity, a boundary allowing only dev-* tables: allowed nowhere, one step lower, and says why', () => {
    const [f, ...rest] = destructive(agent([doc(deleteTable(table('prod-orders')))], { boundary: cap(allow('dynamodb:DeleteTable', table('dev-*'))) }));
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('high');
    expect(f!.title).toBe('kiro-agent can run 1 destructive action without approval, allowed nowhere (the Allow layers share no resource)');
    expect(f!.description).toContain('dynamodb:DeleteTable is allowed nowhere: the permissions boundary allows it only on table/dev-*, where the identity policies do not grant it');
    expect(f!.description).not.toContain('NotResource');
    expect(f!.description).not.toContain('names production');
  });

  it('kiro-* in the identity, *-scratch in the boundary: only where both match', () => {
    expect(verdict(agent([doc(deleteTable(table('kiro-*')))], { boundary: cap(allow('dynamodb:DeleteTable', table('*-scratch'))) })))
      .toEqual([['high', 'only on table/kiro-scratch, table/kiro-*-scratch']]);
  });
});
