// boundaryPolicy keeps what every boundary with the same always-denied list shares (that list, the
// "everything else" allow, the forbidden deny set, the tampering patterns) and compactDeny keeps
// its plans: a boundary planned with those kept must equal one planned by a fresh expander, whose
// caches are empty, whatever was planned before (property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NeededSet } from '../../src/baseline/needed.js';
import { defaultConfig } from '../../src/config/config.js';
import { boundaryPolicy } from '../../src/fix/plan.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';

const expander = new ActionExpander(catalog());
const config = defaultConfig();
const POOL = ['s3:GetObject', 's3:PutObject', 's3:DeleteBucket', 'ec2:DescribeInstances', 'ec2:TerminateInstances', 'iam:PassRole', 'iam:CreateUser', 'lambda:InvokeFunction', 'lambda:DeleteFunction', 'dynamodb:Query', 'logs:FilterLogEvents', 'cloudformation:DeleteStack'];
const FORBIDDEN_POOL = ['s3:DeleteBucket', 'ec2:TerminateInstances', 'iam:CreateUser', 'lambda:DeleteFunction', 'cloudformation:DeleteStack'];
const existingArb = fc.option(fc.constantFrom<PolicyDocument>(
  { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['s3:*', 'ec2:*', 'lambda:*'], resource: ['*'] }] },
  { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['*'], resource: ['*'] }, { index: 1, effect: 'Deny', action: ['s3:DeleteBucket'], resource: ['arn:aws:s3:::prod'] }] },
), { nil: undefined });
const caseArb = fc.record({
  basis: fc.constantFrom('none' as const, 'observed' as const),
  actions: fc.uniqueArray(fc.constantFrom(...POOL), { maxLength: 8 }),
  gated: fc.uniqueArray(fc.constantFrom(...FORBIDDEN_POOL), { maxLength: 2 }),
  meetable: fc.boolean(),
  existing: existingArb,
  name: fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.replace(/[^A-Za-z0-9]/g, 'x')),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
function plan(c: Case, ex: ActionExpander): PolicyDocument {
  const keys = [...new Set([...c.actions, ...c.gated])];
  const needed = { basis: c.basis, gated: c.gated, actions: ActionSet.of(ex.size, keys.map((k) => ex.catalog.lookup(k)!.id)) } as unknown as NeededSet;
  return boundaryPolicy(needed, ex, config, c.existing, undefined, `arn:aws:iam::123456789012:policy/leash-role-${c.name}-boundary`, { meetable: c.meetable });
}

describe('boundaryPolicy with its shared parts kept', () => {
  it('plans what a fresh expander plans, in any order of principals (property)', () => {
    fc.assert(fc.property(fc.array(caseArb, { minLength: 1, maxLength: 4 }), (cases) => {
      for (const c of cases) {
        const kept = plan(c, expander);
        // A caller changing its boundary's lists changes nothing kept for the next one.
        for (const st of kept.statements) (st.action as string[] | undefined)?.push('x:Changed');
        expect(plan(c, expander)).toEqual(plan(c, new ActionExpander(expander.catalog)));
      }
    }), { numRuns: 30, seed: 20261204 });
  }, 60_000); // a fresh expander per case: ~10 s on a loaded machine
});
