// Session 44: mayReachProduction (hop-chains.ts) says a role's grants stay off production only when
// its statements prove it. Property, with leash's request evaluator in a closed world: whenever it
// says "no", no request on a resource tagged with a production value, without the approval, is
// allowed to the role. And by example: which grants prove it and which do not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayReachProduction, type ProductionTag } from '../../src/fix/hop-chains.js';
import { evaluate } from '../../src/iam/evaluate.js';
import type { ApprovalGate } from '../../src/iam/conditions.js';
import type { ConditionBlock } from '../../src/model/policy.js';
import type { Principal } from '../../src/model/snapshot.js';
import { DEV, allow, deny, doc, snapshot, trust } from '../graph/accounts.js';
import { MFA, table } from '../support/tier-scope.js';
import approvalData from '../../src/data/approval-conditions.json' with { type: 'json' };

const TAG: ProductionTag = { key: 'env', values: ['prod', 'production', 'prd', 'live'] };
const mfa = approvalData.conditions.find((c) => c.id === 'mfa-present')!;
const GATE: ApprovalGate = { condition: mfa.condition as unknown as ConditionBlock, denyWhen: mfa.denyWhen as unknown as ConditionBlock };
const ACTION = 'dynamodb:DeleteTable';

function role(statements: unknown[]): Principal {
  const s = snapshot({ roles: [{ name: 'deploy', trust: trust({ AWS: DEV }), inline: statements.length > 0 ? [doc(...statements)] : [] }] });
  return s.principals.find((p) => p.name === 'deploy')!;
}
const tagged = (op: string, values: readonly string[], key = 'aws:ResourceTag/env') => ({ [op]: { [key]: values } });

describe('mayReachProduction by example', () => {
  it('no: ABAC on non-production values only; its own Deny of every production value', () => {
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringEquals', ['dev', 'test']))]), ACTION, TAG, GATE)).toBe(false);
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringEquals', ['dev'], 'aws:ResourceTag/ENV'))]), ACTION, TAG, GATE)).toBe(false);
    expect(mayReachProduction(role([allow(ACTION), deny(ACTION, '*', tagged('StringEquals', TAG.values))]), ACTION, TAG, GATE)).toBe(false);
    expect(mayReachProduction(role([allow(ACTION), deny(ACTION, '*', tagged('StringLike', ['pr*', 'live']))]), ACTION, TAG, GATE)).toBe(false);
    // A grant behind the agent's own gate is not one with no approval: the ABAC one decides.
    expect(mayReachProduction(role([allow(ACTION, '*', MFA), allow(ACTION, '*', tagged('StringEquals', ['dev']))]), ACTION, TAG, GATE)).toBe(false);
  });

  it('yes: on *, on named tables, ABAC that may match a production value, a Deny missing one, a Deny with another test, held on every resource', () => {
    expect(mayReachProduction(role([allow(ACTION)]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION, table('orders'))]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringLike', ['*']))]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringEqualsIgnoreCase', ['PROD']))]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringNotEquals', ['prod']))]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringEquals', ['dev'], 'aws:ResourceTag/team'))]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION), deny(ACTION, '*', tagged('StringEquals', ['prod']))]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION), deny(ACTION, '*', { ...tagged('StringEquals', TAG.values), Bool: { 'aws:SecureTransport': ['true'] } })]), ACTION, TAG, GATE)).toBe(true);
    expect(mayReachProduction(role([allow(ACTION, '*', tagged('StringEquals', ['dev']))]), ACTION, TAG, GATE, true)).toBe(true);
    // A grant behind another approval is not behind the agent's gate.
    expect(mayReachProduction(role([allow(ACTION, '*', { BoolIfExists: { 'aws:MultiFactorAuthPresent': ['true'] } })]), ACTION, TAG, GATE)).toBe(true);
  });
});

const VALUE_SETS = [['dev'], ['prod'], ['Prod'], ['dev', 'live'], ['test', 'qa'], ['production'], ['pr*'], ['*'], ['PRD']];
const OPS = ['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'StringNotEquals', 'StringEqualsIfExists', 'ForAnyValue:StringEquals'];
const KEYS = ['aws:ResourceTag/env', 'aws:ResourceTag/Env', 'aws:ResourceTag/team'];
const condArb = fc.option(fc.record({ op: fc.constantFrom(...OPS), key: fc.constantFrom(...KEYS), values: fc.constantFrom(...VALUE_SETS), mfa: fc.boolean() })
  .map(({ op, key, values, mfa: m }) => ({ ...tagged(op, values, key), ...(m ? MFA : {}) })), { nil: undefined });
const stArb = fc.record({ effect: fc.constantFrom('Allow', 'Allow', 'Deny'), named: fc.boolean(), condition: condArb })
  .map(({ effect, named, condition }) => (effect === 'Allow' ? allow(ACTION, named ? table('orders') : '*', condition) : deny(ACTION, '*', condition)));

describe('property: "stays off production" is never said of a role a production request gets through', () => {
  it('when it says no, every production-tagged table is denied or not allowed without approval', () => {
    let no = 0;
    fc.assert(fc.property(fc.array(stArb, { minLength: 1, maxLength: 4 }), (statements) => {
      const p = role(statements);
      if (mayReachProduction(p, ACTION, TAG, GATE)) return;
      no++;
      for (const v of TAG.values) {
        // A resource tagged env=v (tag keys match case-insensitively; the evaluator lower-cases keys), no MFA.
        const context = { closedWorld: true, values: { 'aws:resourcetag/env': [v], 'aws:multifactorauthpresent': ['false'] } };
        const d = evaluate({ action: ACTION, resource: table('orders'), context }, { identity: p.policies.map((x) => x.document) }).decision;
        expect(d, `${JSON.stringify(statements)} env=${v}`).not.toBe('Allowed');
      }
    }), { numRuns: 1500, seed: 44 });
    expect(no).toBeGreaterThan(50);
  });
});
