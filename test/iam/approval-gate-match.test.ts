// Session 44: gatesOnApproval against a given gate (the agent's approval condition). A role's
// condition counts as that gate only if it requires at least what the gate requires: every
// request it lets through (an Allow's condition holds, a Deny's does not) meets the gate's own
// condition. Checked by example and, with leash's evaluator in a closed world, by property: never
// "gated" when some request meets the role's condition without meeting the agent's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCondition, gatesOnApproval, type ApprovalGate } from '../../src/iam/conditions.js';
import type { ConditionBlock } from '../../src/model/policy.js';
import approvalData from '../../src/data/approval-conditions.json' with { type: 'json' };

const gateOf = (id: string): ApprovalGate => {
  const c = approvalData.conditions.find((x) => x.id === id)!;
  return { condition: c.condition as unknown as ConditionBlock, denyWhen: c.denyWhen as unknown as ConditionBlock };
};
const MFA = gateOf('mfa-present');
const TAG = gateOf('approval-session-tag');
const RECENT = gateOf('mfa-recent');

describe('gatesOnApproval with a gate: the same test, or more', () => {
  it('an Allow counts when it carries every test of the gate\'s condition (more tests are fine)', () => {
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['true'] } }, 'Allow', MFA)).toBe(true);
    expect(gatesOnApproval({ bool: { 'AWS:multifactorauthpresent': ['True'] }, StringEquals: { 'aws:PrincipalTag/leash-approved': ['true'] } }, 'Allow', MFA)).toBe(true);
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['true'], 'aws:SecureTransport': ['true'] } }, 'Allow', MFA)).toBe(true);
    // Without the gate: any approval key, as before.
    expect(gatesOnApproval(TAG.condition, 'Allow')).toBe(true);
  });

  it('an Allow behind another approval key, a weaker operator or other values does not count', () => {
    expect(gatesOnApproval(TAG.condition, 'Allow', MFA)).toBe(false);
    expect(gatesOnApproval(MFA.condition, 'Allow', TAG)).toBe(false);
    expect(gatesOnApproval(RECENT.condition, 'Allow', MFA)).toBe(false);
    expect(gatesOnApproval({ BoolIfExists: { 'aws:MultiFactorAuthPresent': ['true'] } }, 'Allow', MFA)).toBe(false);
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['true', 'false'] } }, 'Allow', MFA)).toBe(false);
    expect(gatesOnApproval({ StringEquals: { 'aws:PrincipalTag/leash-approved': ['true', 'yes'] } }, 'Allow', TAG)).toBe(false);
    expect(gatesOnApproval(undefined, 'Allow', MFA)).toBe(false);
    expect(gatesOnApproval({ NoSuchOperator: { 'aws:MultiFactorAuthPresent': ['true'] } }, 'Allow', MFA)).toBe(false);
  });

  it('a Deny counts when every test it makes is one of the gate\'s denyWhen (it applies whenever the gate\'s deny does)', () => {
    expect(gatesOnApproval(MFA.denyWhen, 'Deny', MFA)).toBe(true);
    expect(gatesOnApproval(TAG.denyWhen, 'Deny', TAG)).toBe(true);
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['false'] } }, 'Deny', MFA)).toBe(false);
    expect(gatesOnApproval(TAG.denyWhen, 'Deny', MFA)).toBe(false);
    // A Deny that also needs another key applies to fewer requests: not the gate.
    expect(gatesOnApproval({ ...MFA.denyWhen, ...TAG.denyWhen }, 'Deny', MFA)).toBe(false);
    expect(gatesOnApproval({}, 'Deny', MFA)).toBe(false);
  });
});

// The keys and tests the property draws from: the gates' own, their weaker and stronger forms.
const TESTS: readonly ConditionBlock[] = [
  ...approvalData.conditions.filter((c) => c.kind === 'approval').flatMap((c) => [c.condition, c.denyWhen] as unknown as ConditionBlock[]),
  { Bool: { 'aws:MultiFactorAuthPresent': ['false'] } }, { BoolIfExists: { 'aws:MultiFactorAuthPresent': ['true'] } },
  { Bool: { 'aws:MultiFactorAuthPresent': ['true', 'false'] } }, { Null: { 'aws:MultiFactorAuthPresent': ['false'] } },
  { StringEquals: { 'aws:PrincipalTag/leash-approved': ['yes'] } }, { StringLike: { 'aws:PrincipalTag/leash-approved': ['*'] } },
  { NumericLessThan: { 'aws:MultiFactorAuthAge': ['300'] } }, { Bool: { 'aws:SecureTransport': ['true'] } },
  { StringNotLike: { 'aws:SourceIdentity': ['approved-*', 'x'] } },
];
const VALUES: Record<string, readonly string[]> = {
  'aws:multifactorauthpresent': ['true', 'false'], 'aws:multifactorauthage': ['0', '299', '600', '900', '5000'],
  'aws:principaltag/leash-approved': ['true', 'yes', 'no'], 'aws:securetransport': ['true', 'false'], 'aws:sourceidentity': ['approved-1', 'x', 'other'],
};
// Merged per operator: two tests under one operator are one block entry (keys AND).
const merge = (blocks: readonly ConditionBlock[]): ConditionBlock => {
  const out: Record<string, Record<string, readonly string[]>> = {};
  for (const b of blocks) for (const [op, keys] of Object.entries(b)) out[op] = { ...(out[op] ?? {}), ...keys };
  return out;
};
const blockArb = fc.array(fc.constantFrom(...TESTS), { minLength: 1, maxLength: 3 }).map(merge);
// A closed-world request: each key absent or one of its values.
const ctxArb = fc.record(Object.fromEntries(Object.entries(VALUES).map(([k, vs]) => [k, fc.option(fc.constantFrom(...vs), { nil: undefined })])))
  .map((r) => ({ closedWorld: true, values: Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => [k, [v as string]])) }));
const GATES = [MFA, TAG, RECENT, gateOf('approval-source-identity')];

describe('property: "gated" is never claimed for a condition the agent could meet without its gate', () => {
  it('Allow: whenever the role\'s condition holds, the gate\'s does; Deny: whenever the gate\'s deny applies, the role\'s does', () => {
    let claimed = 0;
    fc.assert(fc.property(blockArb, fc.constantFrom(...GATES), fc.array(ctxArb, { minLength: 20, maxLength: 20 }), (block, gate, ctxs) => {
      for (const effect of ['Allow', 'Deny'] as const) {
        if (!gatesOnApproval(block, effect, gate)) continue;
        claimed++;
        for (const ctx of ctxs) {
          if (effect === 'Allow' && evaluateCondition(block, ctx) === true) expect(evaluateCondition(gate.condition, ctx)).toBe(true);
          if (effect === 'Deny' && evaluateCondition(gate.denyWhen, ctx) === true) expect(evaluateCondition(block, ctx)).toBe(true);
        }
        // And a gate is never more than "gated" without one (any approval key).
        expect(gatesOnApproval(block, effect)).toBe(true);
      }
    }), { numRuns: 1500, seed: 44 });
    // The property is exercised, not vacuous.
    expect(claimed).toBeGreaterThan(100);
  });
});

// Session 46: without a gate, a Deny counts as approval only when it denies every request that
// meets no approval condition (each of its tests is some condition's deny form). Before, any Deny
// on approval keys alone counted, `Bool aws:MultiFactorAuthPresent true` (it denies the approved
// request) included.
describe('gatesOnApproval without a gate: a Deny counts only in a deny form', () => {
  const APPROVALS = approvalData.conditions.filter((c) => c.kind === 'approval').map((c) => c.condition as unknown as ConditionBlock);

  it('examples: the deny forms and their AND count; their opposites, Bool without IfExists and other keys do not', () => {
    expect(gatesOnApproval(MFA.denyWhen, 'Deny')).toBe(true);
    expect(gatesOnApproval(RECENT.denyWhen, 'Deny')).toBe(true);
    expect(gatesOnApproval({ ...MFA.denyWhen, ...TAG.denyWhen }, 'Deny')).toBe(true);
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['true'] } }, 'Deny')).toBe(false);
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['false'] } }, 'Deny')).toBe(false);
    expect(gatesOnApproval({ StringEquals: { 'aws:PrincipalTag/leash-approved': ['true'] } }, 'Deny')).toBe(false);
    expect(gatesOnApproval({ ...MFA.denyWhen, Bool: { 'aws:SecureTransport': ['false'] } }, 'Deny')).toBe(false);
    // Keys and Bool values are read as IAM reads them (case-insensitively).
    expect(gatesOnApproval({ boolifexists: { 'AWS:MultiFactorAuthPresent': ['FALSE'] } }, 'Deny')).toBe(true);
    // The Allow side is unchanged: any approval key.
    expect(gatesOnApproval({ Bool: { 'aws:MultiFactorAuthPresent': ['false'] } }, 'Allow')).toBe(true);
  });

  it('property: a Deny that counts applies to every closed-world request that meets no approval condition', () => {
    let claimed = 0, refused = 0;
    fc.assert(fc.property(blockArb, fc.array(ctxArb, { minLength: 20, maxLength: 20 }), (block, ctxs) => {
      if (!gatesOnApproval(block, 'Deny')) { refused++; return; }
      claimed++;
      for (const ctx of ctxs) {
        if (APPROVALS.some((c) => evaluateCondition(c, ctx) === true)) continue;
        expect(evaluateCondition(block, ctx)).toBe(true);
      }
    }), { numRuns: 1500, seed: 46 });
    expect(claimed).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
