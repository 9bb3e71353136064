import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PassableRoles, trustedServices, type PassCandidate } from '../../src/checks/passable-roles.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { parsePolicy } from '../../src/iam/parse.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Role } from '../../src/model/snapshot.js';

const ACCOUNT = '111122223333';
const N = 96; // a small action universe: the logic only needs set operations
const SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'];

function doc(kind: 'identity' | 'trust', ...Statement: Record<string, unknown>[]): PolicyDocument {
  const r = parsePolicy({ Version: '2012-10-17', Statement }, kind);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
}
function role(name: string, trusts: readonly string[], policies: PolicyDocument[] = [], unresolved = false, instanceProfiles: string[] = trusts.includes('ec2.amazonaws.com') ? [name] : []): Role {
  const trust = trusts.length > 0 ? doc('trust', { Effect: 'Allow', Principal: { Service: [...trusts] }, Action: 'sts:AssumeRole' }) : doc('trust', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });
  return {
    kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, id: `AROA${name}`, name, path: '/', tags: {},
    policies: policies.map((d) => ({ origin: { kind: 'inline', name: 'p' }, document: d })),
    unresolvedPolicyArns: unresolved ? [`arn:aws:iam::${ACCOUNT}:policy/missing`] : [], trustPolicy: trust,
    instanceProfiles,
  };
}

describe('trustedServices', () => {
  it('reads Service principals, folds China endpoints and case, and marks "*"', () => {
    const t = doc('trust', { Effect: 'Allow', Principal: { Service: ['EC2.amazonaws.com.cn', 'lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }, { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' });
    expect([...trustedServices(t)].sort()).toEqual(['*', 'ec2.amazonaws.com', 'lambda.amazonaws.com']);
    expect(trustedServices(doc('trust', { Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })).size).toBe(0);
  });
});

describe('PassableRoles.find agrees with a role-by-role search', () => {
  const roleArb = fc.record({
    trusts: fc.subarray(SERVICES),
    ids: fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 20 }),
    unresolved: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    // EC2 takes a role only through an instance profile.
    profile: fc.boolean(),
  });
  const grantArb = fc.constantFrom('*', `arn:aws:iam::${ACCOUNT}:role/*`, `arn:aws:iam::${ACCOUNT}:role/r1*`, `arn:aws:iam::${ACCOUNT}:role/r2`, `arn:aws:iam::*:role/r?`, `arn:aws:iam::${ACCOUNT}:role/*1`, `arn:aws:iam::444455556666:role/*`);

  it('found ⇔ some passable role trusting the service can do something the principal cannot', () => {
    fc.assert(
      fc.property(fc.array(roleArb, { minLength: 1, maxLength: 12 }), fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 40 }), grantArb, fc.constantFrom(...SERVICES), fc.boolean(), (specs, have, grant, svc, makesProfiles) => {
        const candidates: PassCandidate[] = specs.map((s, i) => ({ role: role(`r${i}`, s.trusts, [], s.unresolved, s.profile ? [`r${i}`] : []), unconditional: ActionSet.of(N, s.ids) }));
        const agent = role('agent', [], [doc('identity', { Effect: 'Allow', Action: 'iam:PassRole', Resource: grant })]);
        const pSet = ActionSet.of(N, have);
        const result = new PassableRoles(candidates, { complete: true }).find(agent, pSet, [svc], makesProfiles);
        const pattern = new RegExp(`^${grant.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
        const expected = candidates.filter((c, i) => specs[i]!.trusts.includes(svc) && (svc !== 'ec2.amazonaws.com' || specs[i]!.profile || makesProfiles) && pattern.test(c.role.arn) && (c.role.unresolvedPolicyArns.length > 0 || c.unconditional.differenceCount(pSet) > 0));
        expect(result.status).toBe(expected.length > 0 ? 'found' : 'none');
        if (result.status === 'found') {
          expect(result.roles.length).toBe(Math.min(3, expected.length));
          for (const arn of result.roles) expect(expected.map((c) => c.role.arn)).toContain(arn);
        }
      }),
      { numRuns: 400, seed: 91 },
    );
  });

  it('PassRole granted only on buckets or tables passes no role; on named roles, exactly those', () => {
    const admin: PassCandidate = { role: role('ops-admin', ['ec2.amazonaws.com']), unconditional: ActionSet.of(N, [1, 2, 3]) };
    const other: PassCandidate = { role: role('app-runner', ['ec2.amazonaws.com']), unconditional: ActionSet.of(N, [4]) };
    const roles = new PassableRoles([admin, other], { complete: true });
    const agentWith = (Resource: unknown) => role('agent', [], [doc('identity', { Effect: 'Allow', Action: 'iam:PassRole', Resource })]);
    expect(roles.find(agentWith(['arn:aws:s3:::bucket/*', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`]), new ActionSet(N), ['ec2.amazonaws.com'])).toEqual({ status: 'none' });
    expect(roles.find(agentWith(`arn:aws:iam::${ACCOUNT}:role/app-runner`), ActionSet.of(N, [4]), ['ec2.amazonaws.com'])).toEqual({ status: 'none' });
    expect(roles.find(agentWith(`arn:aws:iam::${ACCOUNT}:role/app-runner`), new ActionSet(N), ['ec2.amazonaws.com'])).toEqual({ status: 'found', roles: [other.role.arn] });
    expect(roles.find(agentWith(`arn:aws:iam::*:role/ops-*`), new ActionSet(N), ['ec2.amazonaws.com'])).toEqual({ status: 'found', roles: [admin.role.arn] });
    expect(roles.find(agentWith(`arn:aws:iam::444455556666:role/*`), new ActionSet(N), ['ec2.amazonaws.com'])).toEqual({ status: 'none' });
  });

  it('an incomplete inventory is unknown, whatever the roles', () => {
    const agent = role('agent', [], [doc('identity', { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' })]);
    const r = new PassableRoles([], { complete: false, why: 'the input lists no roles' }).find(agent, new ActionSet(N), ['ec2.amazonaws.com']);
    expect(r).toEqual({ status: 'unknown', why: 'the input lists no roles' });
  });
});
