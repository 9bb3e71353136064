// Properties of resource-side evaluation over random identity and resource policies (fast-check):
// adding a Deny anywhere never grants; cross-account access never exceeds either side; in one
// account the resource policy only ever adds to the identity side (when it denies nothing).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideOnResource, requestContext, type ResourceDecision } from '../../src/resources/evaluate.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { DEV, PROD, bucket, callerOf, doc, parsed, type Doc } from './world.js';

const ACTIONS = ['s3:GetObject', 's3:DeleteBucket', 's3:*', 's3:Get*', '*'];
const RESOURCES = ['*', 'arn:aws:s3:::data', 'arn:aws:s3:::data/*', 'arn:aws:s3:::other/*', 'arn:aws:s3:::d*'];
const CONDITIONS = [undefined, { StringEquals: { 'aws:PrincipalAccount': DEV } }, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }, { StringEquals: { 'aws:SourceAccount': DEV } }];
const PRINCIPALS = ['*', { AWS: DEV }, { AWS: `arn:aws:iam::${DEV}:root` }, { AWS: `arn:aws:iam::${DEV}:user/u` }, { AWS: `arn:aws:iam::${DEV}:role/r` }, { AWS: '333333333333' }];

const effect = fc.constantFrom('Allow', 'Deny');
const identityStmt = (eff: fc.Arbitrary<string>) => fc.record({ Effect: eff, Action: fc.constantFrom(...ACTIONS), Resource: fc.constantFrom(...RESOURCES), c: fc.constantFrom(...CONDITIONS) })
  .map(({ c, ...s }) => (c ? { ...s, Condition: c } : s));
const resourceStmt = (eff: fc.Arbitrary<string>) => fc.record({ Effect: eff, Principal: fc.constantFrom(...PRINCIPALS), Action: fc.constantFrom(...ACTIONS), Resource: fc.constantFrom(...RESOURCES), c: fc.constantFrom(...CONDITIONS) })
  .map(({ c, ...s }) => (c ? { ...s, Condition: c } : s));

const rank = (d: ResourceDecision['decision']) => (d === 'Allowed' ? 2 : d === 'Conditional' ? 1 : 0);
const world = fc.record({
  kind: fc.constantFrom('user' as const, 'role' as const),
  identity: fc.array(identityStmt(effect), { maxLength: 4 }),
  boundary: fc.option(fc.array(identityStmt(fc.constant('Allow')), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  policy: fc.option(fc.array(resourceStmt(effect), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  action: fc.constantFrom('s3:GetObject', 's3:DeleteBucket'),
  account: fc.constantFrom(DEV, PROD),
});

function decideIn(w: { kind: 'user' | 'role'; identity: unknown[]; boundary?: unknown[] | undefined; policy?: unknown[] | undefined; action: string; account: string }) {
  const rc = callerOf({ kind: w.kind, name: w.kind === 'user' ? 'u' : 'r', identity: w.identity.length > 0 ? [doc(...w.identity)] : [], ...(w.boundary ? { boundary: [doc(...w.boundary)] } : {}) });
  const b = bucket('data', w.account, w.policy ? doc(...w.policy) : undefined);
  const at = w.action === 's3:GetObject' ? 'arn:aws:s3:::data/x' : b.arn;
  return { rc, b, at, d: decideOnResource(rc, w.action, at, b) };
}

describe('resource-side evaluation properties', () => {
  it('adding a Deny statement to the identity policy or the resource policy never makes a request more allowed', () => {
    fc.assert(fc.property(world, identityStmt(fc.constant('Deny')), resourceStmt(fc.constant('Deny')), fc.boolean(), (w, idDeny, rpDeny, inIdentity) => {
      const before = decideIn(w).d.decision;
      const after = inIdentity ? decideIn({ ...w, identity: [...w.identity, idDeny] }).d.decision : decideIn({ ...w, policy: [...(w.policy ?? []), rpDeny] }).d.decision;
      expect(rank(after)).toBeLessThanOrEqual(rank(before));
    }), { numRuns: 400 });
  });

  it('cross account never exceeds the identity side (the engine\'s own evaluate()) nor the resource policy side', () => {
    fc.assert(fc.property(world.filter((w) => w.account === PROD), (w) => {
      const { d, b } = decideIn(w);
      const rc = callerOf({ kind: w.kind, name: 'x', identity: w.identity.length > 0 ? [doc(...w.identity)] : [], ...(w.boundary ? { boundary: [doc(...w.boundary)] } : {}) });
      const at = w.action === 's3:GetObject' ? 'arn:aws:s3:::data/x' : 'arn:aws:s3:::data';
      // The engine is told what the request settles, as the resource side is (no aws:SourceAccount on a principal's own call…).
      const identitySide = evaluate({ action: w.action, resource: at, context: requestContext(rc, b) }, { identity: rc.caller.identity.docs.map((x) => x.document), ...(rc.caller.boundary ? { boundary: rc.caller.boundary.docs.map((x) => x.document) } : {}) }).decision;
      expect(rank(d.decision)).toBeLessThanOrEqual(rank(identitySide));
      // The resource side alone: the same request by a caller whose identity allows everything.
      const resourceSide = decideIn({ ...w, identity: [{ Effect: 'Allow', Action: '*', Resource: '*' }], boundary: undefined }).d.decision;
      expect(rank(d.decision)).toBeLessThanOrEqual(rank(resourceSide));
      if (!w.policy) expect(d.decision).not.toBe('Allowed');
    }), { numRuns: 400 });
  });

  it('in one account, a resource policy without Deny statements only adds to what the identity side allows', () => {
    fc.assert(fc.property(world.filter((w) => w.account === DEV), fc.array(resourceStmt(fc.constant('Allow')), { minLength: 1, maxLength: 3 }), (w, allows) => {
      const without = decideIn({ ...w, policy: undefined }).d.decision;
      const withPolicy = decideIn({ ...w, policy: allows }).d.decision;
      expect(rank(withPolicy)).toBeGreaterThanOrEqual(rank(without));
    }), { numRuns: 400 });
  });

  it('parsing round trip sanity: every generated policy parses (the generators make valid policies)', () => {
    fc.assert(fc.property(fc.array(resourceStmt(effect), { minLength: 1, maxLength: 3 }), (s) => { expect(parsed(doc(...s) as Doc).statements.length).toBe(s.length); }), { numRuns: 50 });
  });
});
