// boundaryPolicy keeps what every boundary with the same always-denied list shares (that list, the
// "everything else" allow, the forbidden deny set, the tampering patterns), compactDeny keeps
// its plans, and boundaryPolicy keeps whole boundaries per key (one frozen object for principals
// alike): a boundary so planned must equal one planned afresh by a fresh expander, whose caches
// are empty, whatever was planned before and whatever the callers tried to change (property).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NeededSet } from '../../src/baseline/needed.js';
import { defaultConfig } from '../../src/config/config.js';
import { boundaryPolicy, boundaryPolicyFresh, sizeOf } from '../../src/fix/plan.js';
import type { Statement } from '../../src/model/policy.js';
import { checkSizeLimits } from '../../src/fix/render/index.js';
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
  // A scope kept from today's boundary (an Allow on some resources only).
  { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['ec2:*'], resource: ['*'] }, { index: 1, effect: 'Allow', action: ['s3:*', 'lambda:*'], resource: ['arn:aws:s3:::team/*'] }] },
), { nil: undefined });
// Reach guards: none, a few roles, or so many long ARNs that an allow-everything boundary does not
// fit with every forbidden action and falls back to the services the principal can use today.
const reachArb = fc.constantFrom<readonly Statement[]>(
  [],
  [{ index: 0, sid: 'NoUnusedRoleHops', effect: 'Deny', action: ['sts:AssumeRole'], resource: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/b'] }],
  [{ index: 0, sid: 'NoUnusedRoleHops', effect: 'Deny', action: ['sts:AssumeRole'], resource: Array.from({ length: 40 }, (_, i) => `arn:aws:iam::123456789012:role/${'a-very-long-role-name-for-a-hop-'.repeat(3)}${i}`) }],
);
const caseArb = fc.record({
  basis: fc.constantFrom('none' as const, 'observed' as const),
  actions: fc.uniqueArray(fc.constantFrom(...POOL), { maxLength: 8 }),
  gated: fc.uniqueArray(fc.constantFrom(...FORBIDDEN_POOL), { maxLength: 2 }),
  meetable: fc.boolean(),
  existing: existingArb,
  name: fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.replace(/[^A-Za-z0-9]/g, 'x')),
  // Today's permissions: only the last fallback of an allow-everything boundary reads them.
  allowed: fc.option(fc.uniqueArray(fc.constantFrom(...POOL, 'iam:CreateRole', 'kms:ScheduleKeyDeletion', 'rds:DeleteDBInstance'), { minLength: 1, maxLength: 10 }), { nil: undefined }),
  reach: reachArb,
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
function args(c: Case, ex: ActionExpander): Parameters<typeof boundaryPolicy> {
  const keys = [...new Set([...c.actions, ...c.gated])];
  const needed = { basis: c.basis, gated: c.gated, actions: ActionSet.of(ex.size, keys.map((k) => ex.catalog.lookup(k)!.id)) } as unknown as NeededSet;
  const allowed = c.allowed && ActionSet.of(ex.size, c.allowed.map((k) => ex.catalog.lookup(k)!.id));
  return [needed, ex, config, c.existing, allowed, `arn:aws:iam::123456789012:policy/leash-role-${c.name}-boundary`, { meetable: c.meetable }, c.reach];
}
function plan(c: Case, ex: ActionExpander): PolicyDocument {
  return boundaryPolicy(...args(c, ex));
}

describe('boundaryPolicy with its shared parts kept', () => {
  it('plans what a fresh expander plans, in any order of principals (property)', () => {
    fc.assert(fc.property(fc.array(caseArb, { minLength: 1, maxLength: 4 }), (cases) => {
      for (const c of cases) {
        const kept = plan(c, expander);
        // Shared by principals alike: no caller can change it for the next one.
        for (const st of kept.statements) expect(() => (st.action as string[] | undefined)?.push('x:Changed')).toThrow(TypeError);
        expect(() => (kept.statements as Statement[]).pop()).toThrow(TypeError);
        const again = plan(c, expander);
        expect(again).toBe(kept);
        expect(again).toEqual(boundaryPolicyFresh(...args(c, new ActionExpander(expander.catalog))));
      }
    }), { numRuns: 30, seed: 20261204 });
  }, 60_000); // a fresh expander per case: ~10 s on a loaded machine

  it('keeps an allow-everything boundary that reads today\'s permissions per those permissions', () => {
    const base: Case = { basis: 'none', actions: [], gated: [], meetable: true, existing: undefined, name: 'r', allowed: undefined, reach: [] };
    const long = { ...base, reach: Array.from({ length: 3 }, (_, i) => ({ index: 0, sid: `Hops${i}`, effect: 'Deny' as const, action: ['sts:AssumeRole'], resource: Array.from({ length: 40 }, (_, j) => `arn:aws:iam::123456789012:role/${'a-very-long-role-name-for-a-hop-'.repeat(3)}${i}-${j}`) })) };
    const a = { ...long, allowed: ['s3:GetObject', 's3:DeleteBucket'] };
    const b = { ...long, allowed: ['ec2:DescribeInstances', 'ec2:TerminateInstances'] };
    const fresh = (c: Case) => boundaryPolicyFresh(...args(c, new ActionExpander(expander.catalog)));
    // The fallback is taken: the two principals' boundaries differ by what they can do today.
    expect(fresh(a)).not.toEqual(fresh(b));
    for (const c of [a, b, a, b]) expect(plan(c, expander)).toEqual(fresh(c));
  }, 60_000);

  it('measures a document once per kind: kept or fresh, the same size check (property)', () => {
    fc.assert(fc.property(fc.array(caseArb, { minLength: 1, maxLength: 3 }), fc.constantFrom('managed' as const, 'session' as const), (cases, first) => {
      const second = first === 'managed' ? 'session' : 'managed';
      for (const c of cases) {
        const doc = plan(c, expander);
        const kept = [sizeOf(doc, first), sizeOf(doc, second), sizeOf(doc, first)];
        expect(kept).toEqual([checkSizeLimits(structuredClone(doc), first), checkSizeLimits(structuredClone(doc), second), checkSizeLimits(structuredClone(doc), first)]);
      }
    }), { numRuns: 20, seed: 20261204 });
  });
});
