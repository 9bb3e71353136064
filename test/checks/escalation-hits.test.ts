// escalationHits walks each technique's requirement groups with indexed loops and catalog actions
// in hand; the reference is the plain filter/map over keys with a catalog lookup per action.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionIndex, escalationHits } from '../../src/checks/analyze.js';
import { catalog } from '../../src/iam/catalog.js';
import { effectivePermissions, grantingStatements, principalPolicyInput, type EffectivePermissions } from '../../src/iam/effective.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { Principal } from '../../src/model/snapshot.js';
import { snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const SELF = /\$\{aws:(username|userid|PrincipalTag\/[^}]+)\}/i;
const techniqueActions = [...new Set(actionIndex(expander).techniques.flatMap(({ t }) => t.requires.flat()))];

function reference(p: Principal, eff: EffectivePermissions) {
  const selfScoped = (action: string) => {
    const a = expander.catalog.lookup(action);
    if (!a || a.service !== 'iam' || !a.resourceTypes.some((r) => r.name === 'user')) return false;
    const grants = grantingStatements(p.policies, action, p);
    return grants.length > 0 && grants.every((g) => (g.statement.resource ?? []).length > 0 && (g.statement.resource ?? []).every((r) => SELF.test(r)));
  };
  return actionIndex(expander).techniques.flatMap(({ t, groups }) => {
    let conditional = false, reachable = groups.length > 0;
    const actions: string[] = [];
    for (const g of groups) {
      const keys = g.filter((id) => eff.allowed.has(id)).map((id) => expander.catalog.actions[id]!.key).filter((a) => !selfScoped(a));
      if (keys.length === 0) { reachable = false; break; }
      if (!g.some((id) => eff.unconditional.has(id))) conditional = true;
      actions.push(...keys);
    }
    return reachable ? [{ techniqueId: t.id, conditional, actions: [...new Set(actions)] }] : [];
  });
}

const statementArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
  // Actions no technique needs too: a principal allowed none of the techniques' actions has none.
  Action: fc.uniqueArray(fc.constantFrom(...techniqueActions, 'iam:*', 'iam:Create*', 'lambda:*', 's3:GetObject', 'ec2:DescribeInstances', 'logs:*'), { minLength: 1, maxLength: 5 }),
  Resource: fc.constantFrom('*', 'arn:aws:iam::111122223333:user/${aws:username}', 'arn:aws:iam::111122223333:role/*'),
  mfa: fc.boolean(),
}).map(({ mfa, ...s }) => (mfa ? { ...s, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : s));

describe('escalationHits', () => {
  it('equals the filter/map reference (self-scoped user actions, conditions, denies)', () => {
    let empty = 0;
    fc.assert(
      fc.property(fc.array(fc.array(statementArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 }), (docs) => {
        const snapshot = snapshotOf([{ name: 'r', inline: docs.map((Statement) => ({ Version: '2012-10-17', Statement })) }]);
        const p = snapshot.principals[0]!;
        const eff = effectivePermissions(principalPolicyInput(p), expander);
        const want = reference(p, eff);
        if (want.length === 0) empty++;
        expect(escalationHits(p, eff, expander).map((h) => ({ techniqueId: h.techniqueId, conditional: h.conditional, actions: h.actions }))).toEqual(want);
      }),
      { numRuns: 300, seed: 16 },
    );
    // Both kinds were asked: principals with techniques and (the shortcut's case) with none.
    expect(empty).toBeGreaterThan(10);
    expect(empty).toBeLessThan(290);
  });
});
