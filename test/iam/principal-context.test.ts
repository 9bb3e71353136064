import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { effectivePermissions, grantingStatements, principalPolicyInput, type EffectiveInput } from '../../src/iam/effective.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { principalFacts, residualCondition } from '../../src/iam/principal-context.js';
import type { AttachedPolicy, PolicyDocument } from '../../src/model/policy.js';
import type { Principal, Role, User } from '../../src/model/snapshot.js';
import { ACCOUNT, differentialCaseArb, PRINCIPAL_ARN } from '../support/arbitraries.js';

const c = catalog();
const expander = new ActionExpander(c);
const id = (action: string) => c.lookup(action)!.id;
const isSubset = (a: ActionSet, b: ActionSet) => a.clone().andNot(b).isEmpty();

function doc(p: unknown, kind: 'identity' | 'trust' = 'identity'): PolicyDocument {
  const r = parsePolicy(p, kind);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
}
const P = (...Statement: Record<string, unknown>[]): PolicyDocument => doc({ Version: '2012-10-17', Statement });
const attached = (d: PolicyDocument, name = 'inline'): AttachedPolicy => ({ origin: { kind: 'inline', name }, document: d });

const trust = (...actions: string[]) => doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: actions }] }, 'trust');

function role(name: string, policies: PolicyDocument[], opts: { path?: string; tags?: Record<string, string>; trustActions?: string[] } = {}): Role {
  const path = opts.path ?? '/';
  return {
    kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`, id: `AROA${name.toUpperCase()}`, name, path,
    tags: opts.tags ?? {}, policies: policies.map((d) => attached(d)), unresolvedPolicyArns: [],
    trustPolicy: trust(...(opts.trustActions ?? ['sts:AssumeRole'])), instanceProfiles: [],
  };
}
function user(name: string, policies: PolicyDocument[], tags: Record<string, string> = {}): User {
  return { kind: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, id: `AIDA${name.toUpperCase()}`, name, path: '/', tags, policies: policies.map((d) => attached(d)), unresolvedPolicyArns: [], groups: [] };
}

const ADMIN = P({ Effect: 'Allow', Action: '*', Resource: '*' });
const FULL_ACCESS = P({ Effect: 'Allow', Action: '*', Resource: '*' });
/** The common break-glass SCP: nobody but the break-glass role (with its path) touches IAM. */
const BREAK_GLASS_SCP = P({
  Effect: 'Deny', Action: 'iam:*', Resource: '*',
  Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/break-glass/*` } },
});
const scpLevels = (...docs: PolicyDocument[]): AttachedPolicy[][] => [docs.map((d) => ({ origin: { kind: 'scp', name: 's', arn: 'arn:aws:organizations::1:policy/o-1/service_control_policy/p-1', target: 'r-1' }, document: d }))];

function effectiveOf(p: Principal, scps?: AttachedPolicy[][]) {
  return effectivePermissions(principalPolicyInput(p, scps), expander);
}

describe('principalFacts', () => {
  it('a role: its ARN with path as aws:PrincipalArn, AssumedRole, its account; tags only when sessions cannot add tags', () => {
    const r = role('kiro-agent', [], { path: '/agents/', tags: { Team: 'data' } });
    const f = principalFacts(r);
    expect(f.context.values['aws:principalarn']).toEqual([`arn:aws:iam::${ACCOUNT}:role/agents/kiro-agent`]);
    expect(f.context.values['aws:principaltype']).toEqual(['AssumedRole']);
    expect(f.context.values['aws:principalaccount']).toEqual([ACCOUNT]);
    expect(f.context.values['aws:principaltag/team']).toEqual(['data']);
    expect(f.context.values['aws:username']).toBeUndefined();
    expect(f.isAbsent('aws:username')).toBe(true);
    expect(f.isAbsent('aws:PrincipalTag/owner')).toBe(true);

    const tagged = principalFacts(role('sso-agent', [], { tags: { team: 'data' }, trustActions: ['sts:AssumeRole', 'sts:TagSession'] }));
    expect(tagged.context.values['aws:principaltag/team']).toBeUndefined();
    expect(tagged.isAbsent('aws:PrincipalTag/team')).toBe(false);
  });

  it('a user: aws:username, aws:userid and exactly its tags', () => {
    const f = principalFacts(user('dana', [], { team: 'web' }));
    expect(f.context.values['aws:username']).toEqual(['dana']);
    expect(f.context.values['aws:userid']).toEqual(['AIDADANA']);
    expect(f.context.values['aws:principaltype']).toEqual(['User']);
    expect(f.isAbsent('aws:PrincipalTag/cost-center')).toBe(true);
    expect(f.isAbsent('aws:PrincipalTag/team')).toBe(false);
  });
});

describe('residualCondition', () => {
  const f = principalFacts(role('kiro-agent', []));
  it('drops principal keys that hold, keeps the rest, and is false when one fails', () => {
    const cond = { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/break-glass/*'] }, BoolIfExists: { 'aws:MultiFactorAuthPresent': ['false'] } };
    expect(residualCondition(cond, f, true)).toEqual({ BoolIfExists: { 'aws:MultiFactorAuthPresent': ['false'] } });
    expect(residualCondition({ ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/break-glass/*'] } }, f, true)).toBe(false);
    expect(residualCondition({ StringEquals: { 'aws:PrincipalAccount': [ACCOUNT] } }, f, true)).toBeUndefined();
  });
  it('a tag the principal certainly lacks is absent: Null true holds, StringEquals fails', () => {
    expect(residualCondition({ Null: { 'aws:PrincipalTag/team': ['true'] } }, f, true)).toBeUndefined();
    expect(residualCondition({ StringEquals: { 'aws:PrincipalTag/team': ['data'] } }, f, true)).toBe(false);
  });
  it('a value that refers to another key through a variable stays unknown', () => {
    const cond = { StringEquals: { 'aws:PrincipalTag/team': ['${aws:ResourceTag/team}'] } };
    expect(residualCondition(cond, f, true)).toEqual(cond);
  });
});

describe('effective permissions resolve principal conditions per principal', () => {
  it('a break-glass SCP takes IAM away from the agent but not from the break-glass role', () => {
    const scps = scpLevels(FULL_ACCESS, BREAK_GLASS_SCP);
    const agent = effectiveOf(role('kiro-agent', [ADMIN]), scps);
    const glass = effectiveOf(role('admin', [ADMIN], { path: '/break-glass/' }), scps);
    for (const a of ['iam:CreateUser', 'iam:PutRolePolicy', 'iam:PassRole']) {
      expect(agent.allowed.has(id(a)), a).toBe(false);
      expect(glass.allowed.has(id(a)), a).toBe(true);
      expect(glass.unconditional.has(id(a)), a).toBe(true);
    }
    expect(agent.allowed.has(id('s3:DeleteBucket'))).toBe(true);
  });

  it('an SSO-style pattern without the role path does not exempt a role that has one (as in IAM)', () => {
    const scp = P({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/AWSReservedSSO_Admin_*' } } });
    const sso = role('AWSReservedSSO_Admin_0123abcd', [ADMIN], { path: '/aws-reserved/sso.amazonaws.com/' });
    expect(effectiveOf(sso, scpLevels(FULL_ACCESS, scp)).allowed.has(id('iam:CreateUser'))).toBe(false);
  });

  it('a break-glass exemption combined with MFA leaves the agent IAM only behind MFA', () => {
    const scp = P({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/break-glass/*' }, BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } });
    const e = effectiveOf(role('kiro-agent', [ADMIN]), scpLevels(FULL_ACCESS, scp));
    expect(e.allowed.has(id('iam:CreateUser'))).toBe(true);
    expect(e.unconditional.has(id('iam:CreateUser'))).toBe(false);
  });

  it('an ABAC Allow on aws:PrincipalTag grants only principals whose tag matches', () => {
    const abac = P({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } });
    expect(effectiveOf(user('ana', [abac], { team: 'data' })).unconditional.has(id('s3:GetObject'))).toBe(true);
    expect(effectiveOf(user('bo', [abac], { team: 'web' })).allowed.has(id('s3:GetObject'))).toBe(false);
    expect(effectiveOf(user('cy', [abac])).allowed.has(id('s3:GetObject'))).toBe(false);
    // A role whose sessions may carry tags could be given team=data by the caller: still allowed.
    expect(effectiveOf(role('tagged', [abac], { trustActions: ['sts:AssumeRole', 'sts:TagSession'] })).allowed.has(id('s3:GetObject'))).toBe(true);
  });

  it('an approval tag the role itself carries is no approval: the gated action is unconditional', () => {
    const gated = P({ Effect: 'Allow', Action: 'cloudformation:DeleteStack', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/leash-approved': 'true' } } });
    const selfTagged = effectiveOf(role('kiro-agent', [gated], { tags: { 'leash-approved': 'true' } }));
    expect(selfTagged.unconditional.has(id('cloudformation:DeleteStack'))).toBe(true);
    // Untagged, with a broker that may pass the session tag: allowed only behind approval.
    const brokered = effectiveOf(role('kiro-agent', [gated], { trustActions: ['sts:AssumeRole', 'sts:TagSession'] }));
    expect(brokered.allowed.has(id('cloudformation:DeleteStack'))).toBe(true);
    expect(brokered.unconditional.has(id('cloudformation:DeleteStack'))).toBe(false);
    // Untagged and no session can carry tags: the approval can never hold.
    expect(effectiveOf(role('kiro-agent', [gated])).allowed.has(id('cloudformation:DeleteStack'))).toBe(false);
  });

  it('aws:username applies to users only: a role never matches an Allow on it', () => {
    const self = P({ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: '*', Condition: { StringEquals: { 'aws:username': 'dana' } } });
    expect(effectiveOf(user('dana', [self])).allowed.has(id('iam:ChangePassword'))).toBe(true);
    expect(effectiveOf(user('eve', [self])).allowed.has(id('iam:ChangePassword'))).toBe(false);
    expect(effectiveOf(role('dana', [self])).allowed.has(id('iam:ChangePassword'))).toBe(false);
  });

  it('without a principal (a fix being verified), such statements are treated as before: unknown', () => {
    const input: EffectiveInput = { identity: [ADMIN], scps: [[FULL_ACCESS, BREAK_GLASS_SCP]] };
    expect(effectivePermissions(input, expander).allowed.has(id('iam:CreateUser'))).toBe(true);
  });

  it('evidence names only statements that can apply to the principal', () => {
    const abac = P({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } });
    const plain = P({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' });
    const u = user('bo', [abac, plain], { team: 'web' });
    expect(grantingStatements(u.policies, 's3:GetObject', u).map((g) => g.statement.action)).toEqual([['s3:Get*']]);
    expect(grantingStatements(u.policies, 's3:GetObject')).toHaveLength(2);
  });
});

describe('properties', () => {
  const inputOf = (dc: ReturnType<typeof differentialCaseArb> extends fc.Arbitrary<infer T> ? T : never) => ({
    identity: dc.identity.map((d) => doc(d)),
    ...(dc.boundary ? { boundary: [doc(dc.boundary)] } : {}),
    ...(dc.scps ? { scps: dc.scps.map((l) => l.map((d) => doc(d))) } : {}),
  });
  // The generated policies name agent-runner (PRINCIPAL_ARN) and aws:PrincipalTag/team.
  const principalArb = fc.record({ team: fc.option(fc.constantFrom('platform', 'data'), { nil: undefined }), tagSession: fc.boolean() }).map(({ team, tagSession }) =>
    role('agent-runner', [], { ...(team ? { tags: { team } } : {}), trustActions: tagSession ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'] }),
  );

  // allResources is left out: a NotResource Deny counts against it whatever its condition, so a
  // principal that the Deny provably never applies to may gain there, rightly.
  it('knowing the principal only ever narrows allowed and unconditional', () => {
    expect(role('agent-runner', []).arn).toBe(PRINCIPAL_ARN);
    fc.assert(
      fc.property(differentialCaseArb({ scps: true }), principalArb, (dc, p) => {
        const input = inputOf(dc);
        const open = effectivePermissions(input, expander);
        const known = effectivePermissions({ ...input, principal: () => principalFacts(p) }, expander);
        expect(isSubset(known.allowed, open.allowed)).toBe(true);
        expect(isSubset(known.unconditional, open.unconditional)).toBe(true);
      }),
      { numRuns: 400, seed: 81 },
    );
  });

  it('still over-approximates evaluate() for any request this principal could make', () => {
    fc.assert(
      fc.property(differentialCaseArb({ scps: true }), principalArb, (dc, p) => {
        const input = inputOf(dc);
        const facts = principalFacts(p);
        // The request's own keys, overridden by what the principal settles; a tag the
        // principal certainly lacks is dropped from the request.
        const values: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(dc.request.context)) if (!facts.isAbsent(k)) values[k.toLowerCase()] = Array.isArray(v) ? v : [v];
        Object.assign(values, facts.context.values);
        const d = evaluate({ ...dc.request.target, context: { values } }, input).decision;
        const e = effectivePermissions({ ...input, principal: () => facts }, expander);
        if (d === 'Allowed' || d === 'Conditional') expect(e.allowed.has(id(dc.request.target.action)), d).toBe(true);
      }),
      { numRuns: 600, seed: 82 },
    );
  });
});
