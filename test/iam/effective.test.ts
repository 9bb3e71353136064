import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { effectivePermissions, grantingStatements, type EffectiveInput } from '../../src/iam/effective.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { AttachedPolicy, PolicyDocument } from '../../src/model/policy.js';
import { ACTION_PATTERNS, differentialCaseArb, policyArb, SAMPLE_ACTIONS, type JsonPolicy } from '../support/arbitraries.js';

const c = catalog();
const expander = new ActionExpander(c);

function doc(p: unknown): PolicyDocument {
  const r = parsePolicy(p, 'identity');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
}
const P = (...Statement: Record<string, unknown>[]): PolicyDocument => doc({ Version: '2012-10-17', Statement });
const id = (action: string) => c.lookup(action)!.id;
const isSubset = (a: ActionSet, b: ActionSet) => a.clone().andNot(b).isEmpty();

const inputArb = fc
  .record({
    identity: fc.array(policyArb(), { minLength: 1, maxLength: 3 }),
    boundary: fc.option(policyArb(), { nil: undefined }),
    scps: fc.option(fc.array(fc.array(policyArb(), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  })
  .map(({ identity, boundary, scps }): EffectiveInput => {
    const input: { identity: PolicyDocument[]; boundary?: PolicyDocument[]; scps?: PolicyDocument[][] } = { identity: identity.map(doc) };
    if (boundary) input.boundary = [doc(boundary)];
    if (scps) input.scps = scps.map((l) => l.map(doc));
    return input;
  });

/** Condition-free policies whose statements all use Resource "*", Allow and Deny, Action and NotAction. */
const starPolicyArb = fc
  .array(
    fc.record({ Effect: fc.constantFrom('Allow', 'Allow', 'Deny'), key: fc.constantFrom('Action', 'Action', 'NotAction'), actions: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 }) }),
    { minLength: 1, maxLength: 4 },
  )
  .map((sts): JsonPolicy => ({ Version: '2012-10-17', Statement: sts.map((s) => ({ Effect: s.Effect, [s.key]: s.actions, Resource: '*' })) }));

describe('a Deny under approval keys (session 46)', () => {
  const allowDelete = { Effect: 'Allow', Action: 'dynamodb:DeleteTable', Resource: '*' };
  const denyDelete = (Condition: unknown) => ({ Effect: 'Deny', Action: 'dynamodb:DeleteTable', Resource: '*', Condition });
  const held = (deny: Record<string, unknown>) => {
    const e = effectivePermissions({ identity: [P(allowDelete, deny)] }, expander);
    return [e.allowed.has(id('dynamodb:DeleteTable')), e.unconditional.has(id('dynamodb:DeleteTable'))];
  };
  it("denying the approved request (MFA present) leaves the action held with no approval; denying the unapproved one puts it behind approval", () => {
    expect(held(denyDelete({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }))).toEqual([true, true]);
    // Long-term keys carry no MFA key at all: Bool … false without IfExists does not deny them.
    expect(held(denyDelete({ Bool: { 'aws:MultiFactorAuthPresent': 'false' } }))).toEqual([true, true]);
    // Control: the deny form leash writes.
    expect(held(denyDelete({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }))).toEqual([true, false]);
  });
});

describe('effectivePermissions', () => {
  it('unconditional ⊆ allowed and allResources ⊆ unconditional, for any identity, boundary and SCP levels', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const e = effectivePermissions(input, expander);
        expect(isSubset(e.unconditional, e.allowed)).toBe(true);
        expect(isSubset(e.allResources, e.unconditional)).toBe(true);
      }),
      { numRuns: 300, seed: 51 },
    );
  });

  it('principals with the same documents share one answer, equal to one computed from fresh copies of them', () => {
    // Copies parsed anew are other objects, so they miss the sharing cache and are computed afresh.
    const copy = (d: PolicyDocument): PolicyDocument => structuredClone(d);
    fc.assert(
      fc.property(inputArb, (input) => {
        const first = effectivePermissions(input, expander);
        const again = effectivePermissions({ ...input }, expander);
        const fresh = effectivePermissions({
          identity: input.identity.map(copy),
          ...(input.boundary ? { boundary: input.boundary.map(copy) } : {}),
          ...(input.scps ? { scps: input.scps.map((l) => l.map(copy)) } : {}),
        }, expander);
        // A one-off question (fix documents) bypasses the cache and must say the same.
        const once = effectivePermissions({ ...input, once: true }, expander);
        for (const k of ['allowed', 'unconditional', 'allResources'] as const) {
          expect(again[k].toArray()).toEqual(first[k].toArray());
          expect(fresh[k].toArray()).toEqual(first[k].toArray());
          expect(once[k].toArray()).toEqual(first[k].toArray());
        }
        // …and is not kept: asked again, it is another answer, not the cached one.
        expect(effectivePermissions({ ...input, once: true }, expander)).not.toBe(once);
      }),
      { numRuns: 200, seed: 52 },
    );
  });

  it('agrees with evaluate() on Resource-"*", condition-free policies, action by action', () => {
    // For each sampled action: allowed ⇔ evaluate(...) is Allowed (on any resource; all are "*")
    const sample = [...new Set([...SAMPLE_ACTIONS, ...c.actions.filter((_, i) => i % 1500 === 0).map((a) => a.key)])];
    fc.assert(
      fc.property(fc.array(starPolicyArb, { minLength: 1, maxLength: 3 }), fc.option(starPolicyArb, { nil: undefined }), (identity, boundary) => {
        const input: EffectiveInput = boundary ? { identity: identity.map(doc), boundary: [doc(boundary)] } : { identity: identity.map(doc) };
        const e = effectivePermissions(input, expander);
        for (const action of sample) {
          const decision = evaluate({ action, resource: '*' }, input).decision;
          expect(e.allowed.has(id(action)), `${action}: ${decision}`).toBe(decision === 'Allowed');
          // with no conditions and no resource scoping, the three sets coincide
          expect(e.unconditional.has(id(action))).toBe(e.allowed.has(id(action)));
          expect(e.allResources.has(id(action))).toBe(e.allowed.has(id(action)));
        }
      }),
      { numRuns: 300, seed: 52 },
    );
  });

  it('over-approximates evaluate(): an action Allowed on some concrete request is in allowed', () => {
    fc.assert(
      fc.property(differentialCaseArb({ scps: true, session: true }), fc.boolean(), (dc, closedWorld) => {
        const input = {
          identity: dc.identity.map(doc),
          ...(dc.boundary ? { boundary: [doc(dc.boundary)] } : {}),
          ...(dc.scps ? { scps: dc.scps.map((l) => l.map(doc)) } : {}),
          ...(dc.session ? { session: [doc(dc.session)] } : {}),
        };
        const values = Object.fromEntries(Object.entries(dc.request.context).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v : [v]]));
        const d = evaluate({ ...dc.request.target, context: { values, closedWorld } }, input).decision;
        const e = effectivePermissions(input, expander);
        if (d === 'Allowed' || d === 'Conditional') expect(e.allowed.has(id(dc.request.target.action))).toBe(true);
      }),
      { numRuns: 600, seed: 53 },
    );
  });

  it('Allow with NotAction grants exactly the complement of the listed actions', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS.filter((p) => p !== '*')), { minLength: 1, maxLength: 4 }), (notActions) => {
        const e = effectivePermissions({ identity: [P({ Effect: 'Allow', NotAction: notActions, Resource: '*' })] }, expander);
        const listed = expander.expandAll(notActions);
        expect(e.allowed.count()).toBe(c.actions.length - listed.count());
        expect(e.allowed.clone().and(listed).isEmpty()).toBe(true);
        expect(e.allResources.count()).toBe(e.allowed.count());
      }),
      { numRuns: 100, seed: 54 },
    );
  });

  it('adding a boundary or an SCP level never adds an action to any of the three sets', () => {
    fc.assert(
      fc.property(inputArb, policyArb(), (input, extra) => {
        const before = effectivePermissions(input, expander);
        const withScp = effectivePermissions({ ...input, scps: [...(input.scps ?? []), [doc(extra)]] }, expander);
        expect(isSubset(withScp.allowed, before.allowed)).toBe(true);
        expect(isSubset(withScp.unconditional, before.unconditional)).toBe(true);
        expect(isSubset(withScp.allResources, before.allResources)).toBe(true);
        if (!input.boundary) {
          const withBoundary = effectivePermissions({ ...input, boundary: [doc(extra)] }, expander);
          expect(isSubset(withBoundary.allowed, before.allowed)).toBe(true);
          expect(isSubset(withBoundary.unconditional, before.unconditional)).toBe(true);
          expect(isSubset(withBoundary.allResources, before.allResources)).toBe(true);
        }
      }),
      { numRuns: 200, seed: 55 },
    );
  });

  it.each([
    {
      name: 'an unconditional Deny * removes everything',
      input: { identity: [P({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' })] },
      allowed: [] as string[], notAllowed: ['s3:GetObject', 'iam:PassRole'],
    },
    {
      name: 'a Deny scoped to one bucket leaves the action allowed elsewhere',
      input: { identity: [P({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::prod/*' })] },
      allowed: ['s3:DeleteObject', 's3:GetObject'], notAllowed: ['iam:PassRole'],
    },
    {
      name: 'a Deny with NotResource leaves the action allowed on the excepted resources',
      input: { identity: [P({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::sandbox', 'arn:aws:s3:::sandbox/*'] })] },
      allowed: ['s3:GetObject', 's3:DeleteObject'], notAllowed: ['ec2:RunInstances'],
    },
    {
      name: 'an MFA-conditioned Deny leaves actions allowed but not unconditional',
      input: { identity: [P({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:Delete*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })] },
      allowed: ['iam:DeleteUser', 'iam:GetUser'], notAllowed: ['s3:GetObject'],
    },
  ])('$name', ({ input, allowed, notAllowed }) => {
    const e = effectivePermissions(input, expander);
    for (const a of allowed) expect(e.allowed.has(id(a)), a).toBe(true);
    for (const a of notAllowed) expect(e.allowed.has(id(a)), a).toBe(false);
    // and evaluate() agrees on a request that shows it
    if (allowed.includes('s3:DeleteObject')) expect(evaluate({ action: 's3:DeleteObject', resource: 'arn:aws:s3:::sandbox/x', context: { values: {}, closedWorld: true } }, input).decision).toBe('Allowed');
  });

  it('an MFA-conditioned Deny takes the action out of unconditional and allResources', () => {
    const e = effectivePermissions({ identity: [P({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:Delete*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } })] }, expander);
    expect([e.allowed.has(id('iam:DeleteUser')), e.unconditional.has(id('iam:DeleteUser')), e.allResources.has(id('iam:DeleteUser'))]).toEqual([true, false, false]);
    expect([e.unconditional.has(id('iam:GetUser')), e.allResources.has(id('iam:GetUser'))]).toEqual([true, true]);
  });

  it('a NotResource Deny keeps the action allowed and unconditional, but no longer on all resources', () => {
    const input = { identity: [P({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:Delete*', NotResource: 'arn:aws:s3:::sandbox/*' })] };
    const e = effectivePermissions(input, expander);
    expect([e.allowed.has(id('s3:DeleteObject')), e.unconditional.has(id('s3:DeleteObject')), e.allResources.has(id('s3:DeleteObject'))]).toEqual([true, true, false]);
    expect(e.allResources.has(id('s3:GetObject'))).toBe(true);
    expect(evaluate({ action: 's3:DeleteObject', resource: 'arn:aws:s3:::prod/x', context: { values: {}, closedWorld: true } }, input).decision).toBe('ExplicitlyDenied');
  });

  it('a resource-scoped Allow is allowed and unconditional but not on all resources', () => {
    const e = effectivePermissions({ identity: [P({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' })] }, expander);
    expect([e.allowed.has(id('s3:GetObject')), e.unconditional.has(id('s3:GetObject')), e.allResources.has(id('s3:GetObject'))]).toEqual([true, true, false]);
  });
});

describe('grantingStatements', () => {
  it('names every Allow statement whose Action or NotAction covers the action', () => {
    const a: AttachedPolicy = { origin: { kind: 'inline', name: 'a' }, document: P({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*' }) };
    const b: AttachedPolicy = { origin: { kind: 'inline', name: 'b' }, document: P({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, { Effect: 'Allow', NotAction: 's3:*', Resource: '*' }) };
    const g = grantingStatements([a, b], 's3:GetObject');
    expect(g.map((x) => [x.policy.origin.name, x.statement.index])).toEqual([['a', 0], ['b', 0]]);
  });
});
