// Effective permissions with the account's organization known (session 33): a condition on
// aws:PrincipalOrgID / aws:PrincipalOrgPaths in an identity policy, a boundary or an SCP is decided
// for the principal as the graph decides a trust (src/iam/organization.ts), and stays unknown when
// the organization is not known. AWS (reference_policies_condition-keys.html): aws:PrincipalOrgID
// "is included in the request context only if the principal is a member of an organization";
// aws:PrincipalOrgPaths is the member account's path `o-…/r-…/ou-…/`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { effectivePermissions, type EffectiveInput } from '../../src/iam/effective.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { principalFacts } from '../../src/iam/principal-context.js';
import { NO_ORGANIZATION, organizationValues, sameOrgValues, type OrgValues } from '../../src/iam/organization.js';
import type { OrganizationFacts } from '../../src/model/organization.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Role, Snapshot } from '../../src/model/snapshot.js';
import { ACCOUNT, REQUEST_POOL, conditionEntryArb, contextArb, patternsFor, resourcePatternsFor } from '../support/arbitraries.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec } from '../graph/accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const c = catalog();
const expander = new ActionExpander(c);
const id = (action: string) => c.lookup(action)!.id;
const isSubset = (a: ActionSet, b: ActionSet) => a.clone().andNot(b).isEmpty();

const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const ROOT_ID = 'r-ab12';
const OU_DEV = 'ou-ab12-11111111';
const OU_OTHER = 'ou-ab12-33333333';
const member = (org: string, account: string, ouPath?: string[]): OrganizationFacts => ({ id: org, members: { [account]: ouPath ? { ouPath } : {} } });

/** The user `agent`'s effective permissions, through the pipeline's own stage (config and --org facts as a scan gives them). */
function effectiveOf(spec: AccountSpec, how: { organizationId?: string; organization?: OrganizationFacts; noOrganization?: true } = {}) {
  const config = defaultConfig();
  const s: Snapshot = { ...snapshot(spec), ...(how.organization ? { organization: how.organization } : {}), ...(how.noOrganization ? { noOrganization: true as const } : {}) };
  const cfg = how.organizationId ? { ...config, resources: { ...config.resources, organizationId: how.organizationId } } : config;
  const a = analyzePrincipals(s, cfg, expander, NOW).find((x) => x.principal.arn === arn(DEV, 'user', 'agent'))!;
  return { allowed: a.effective.allowed.has(id('s3:DeleteBucket')), unconditional: a.effective.unconditional.has(id('s3:DeleteBucket')), analyzed: a };
}

describe('aws:PrincipalOrgID in identity policies, boundaries and SCPs', () => {
  it('identity Allow only for the organization: allowed when the account is a member of it; not for another organization; unknown counts as before (allowed, no approval)', () => {
    const spec: AccountSpec = { users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket', '*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }))] }] };
    expect(effectiveOf(spec, { organizationId: ORG })).toMatchObject({ allowed: true, unconditional: true });
    expect(effectiveOf(spec, { organizationId: OTHER_ORG })).toMatchObject({ allowed: false, unconditional: false });
    expect(effectiveOf(spec)).toMatchObject({ allowed: true, unconditional: true });
  });

  it('an account in no organization (AWS said so): both keys absent, as IAM leaves them out of its principals\' requests', () => {
    const one = (condition: Record<string, Record<string, string[]>>) => effectiveOf({ users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket', '*', condition))] }] }, { noOrganization: true });
    // A positive test of an absent key fails; a negated one, …IfExists, Null true and ForAllValues hold.
    expect(one({ StringEquals: { 'aws:PrincipalOrgID': [ORG] } })).toMatchObject({ allowed: false, unconditional: false });
    expect(one({ StringLike: { 'aws:PrincipalOrgID': ['o-*'] } })).toMatchObject({ allowed: false });
    expect(one({ 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG}/*`] } })).toMatchObject({ allowed: false });
    expect(one({ Null: { 'aws:PrincipalOrgID': ['false'] } })).toMatchObject({ allowed: false });
    expect(one({ StringNotEquals: { 'aws:PrincipalOrgID': [ORG] } })).toMatchObject({ allowed: true, unconditional: true });
    expect(one({ StringEqualsIfExists: { 'aws:PrincipalOrgID': [ORG] } })).toMatchObject({ allowed: true, unconditional: true });
    expect(one({ Null: { 'aws:PrincipalOrgID': ['true'] } })).toMatchObject({ allowed: true, unconditional: true });
    expect(one({ 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG}/*`] } })).toMatchObject({ allowed: true, unconditional: true });
    // An SCP "deny outside our organization" denies: the principal is outside every organization.
    const scp: AccountSpec = { users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket'))] }], scps: [doc(allow('*'), deny('*', '*', { StringNotEquals: { 'aws:PrincipalOrgID': ORG } }))] };
    expect(effectiveOf(scp, { noOrganization: true }).allowed).toBe(false);
    // Controls: not known (no answer), the test stays unknown: counted as before; config names an organization: config wins.
    const allowOrg: AccountSpec = { users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket', '*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }))] }] };
    expect(effectiveOf(allowOrg)).toMatchObject({ allowed: true, unconditional: true });
    expect(effectiveOf(scp).allowed).toBe(true);
    expect(effectiveOf(allowOrg, { noOrganization: true, organizationId: ORG })).toMatchObject({ allowed: true, unconditional: true });
  });

  it('no organization and an unknown one are told apart where facts are cached', () => {
    expect(sameOrgValues(NO_ORGANIZATION, undefined)).toBe(false);
    expect(sameOrgValues(undefined, NO_ORGANIZATION)).toBe(false);
    expect(sameOrgValues(NO_ORGANIZATION, { 'aws:principalorgid': [], 'aws:principalorgpaths': [] })).toBe(true);
    // A key left out is unknown, an empty list absent: not the same facts.
    expect(sameOrgValues(NO_ORGANIZATION, {})).toBe(false);
    expect(sameOrgValues(NO_ORGANIZATION, organizationValues(ACCOUNT, member(ORG, ACCOUNT)))).toBe(false);
    expect(sameOrgValues(organizationValues(ACCOUNT, member(ORG, ACCOUNT)), organizationValues(ACCOUNT, member(ORG, ACCOUNT)))).toBe(true);
    // The principal's facts say the keys are absent (the closed-world decisions ask this), and only with NO_ORGANIZATION.
    expect(principalFacts(runner, undefined, NO_ORGANIZATION).isAbsent('aws:PrincipalOrgID')).toBe(true);
    expect(principalFacts(runner).isAbsent('aws:PrincipalOrgID')).toBe(false);
    expect(principalFacts(runner, undefined, organizationValues(ACCOUNT, member(ORG, ACCOUNT))).isAbsent('aws:PrincipalOrgID')).toBe(false);
  });

  it('SCP "deny outside our organization": a member keeps the action, a member of another organization loses it, unknown leaves it (a Deny under an unknown condition removes nothing)', () => {
    const spec: AccountSpec = {
      users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket'))] }],
      scps: [doc(allow('*'), deny('*', '*', { StringNotEquals: { 'aws:PrincipalOrgID': ORG } }))],
    };
    expect(effectiveOf(spec, { organizationId: ORG }).allowed).toBe(true);
    expect(effectiveOf(spec, { organizationId: OTHER_ORG }).allowed).toBe(false);
    expect(effectiveOf(spec).allowed).toBe(true);
  });

  it('an --org scan\'s facts come before the configured organization (as in the graph)', () => {
    const spec: AccountSpec = { users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket', '*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }))] }] };
    expect(effectiveOf(spec, { organizationId: ORG, organization: member(OTHER_ORG, DEV) }).allowed).toBe(false);
    expect(effectiveOf(spec, { organizationId: OTHER_ORG, organization: member(ORG, DEV) }).allowed).toBe(true);
    // Control: discovery that does not list the account leaves the configured organization to decide.
    expect(effectiveOf(spec, { organizationId: OTHER_ORG, organization: member(ORG, '999999999999') }).allowed).toBe(false);
  });
});

describe('aws:PrincipalOrgPaths in a boundary', () => {
  const spec: AccountSpec = {
    users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket'))], boundary: 'dev-ou-only' }],
    policies: { 'dev-ou-only': doc(allow('*', '*', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG}/${ROOT_ID}/${OU_DEV}/*`] } })) },
  };
  it('allowed under the OU, not under another OU; unknown (as before) when the path was not read', () => {
    expect(effectiveOf(spec, { organization: member(ORG, DEV, [ROOT_ID, OU_DEV]) }).allowed).toBe(true);
    expect(effectiveOf(spec, { organization: member(ORG, DEV, [ROOT_ID, OU_OTHER]) }).allowed).toBe(false);
    expect(effectiveOf(spec, { organizationId: ORG }).allowed).toBe(true);
    expect(effectiveOf(spec).allowed).toBe(true);
  });
});

describe('what the checks read follows', () => {
  it('destructive actions: none when the only Allow is for another organization; reported for its own', () => {
    const spec: AccountSpec = { users: [{ name: 'agent', inline: [doc(allow('s3:DeleteBucket', '*', { StringEquals: { 'aws:PrincipalOrgID': ORG } }))] }] };
    expect(effectiveOf(spec, { organizationId: ORG }).analyzed.destructive.unconditional).toContain('s3:DeleteBucket');
    expect(effectiveOf(spec, { organizationId: OTHER_ORG }).analyzed.destructive.unconditional).toEqual([]);
    expect(effectiveOf(spec, { organizationId: OTHER_ORG }).analyzed.destructive.conditional).toEqual([]);
  });
});

// --- knowing the organization only refines ---------------------------------------------------

type Json = Record<string, unknown>;
const parsed = (d: Json): PolicyDocument => {
  const r = parsePolicy(d, 'identity');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.document;
};

/** A test of the organization keys, as policies write them (ids, paths with wildcards, negated, …IfExists). */
const orgEntryArb: fc.Arbitrary<[string, string, string[]]> = fc.oneof(
  fc.tuple(fc.constantFrom('StringEquals', 'StringNotEquals', 'StringEqualsIfExists', 'StringNotEqualsIfExists', 'StringLike'), fc.constant('aws:PrincipalOrgID'), fc.uniqueArray(fc.constantFrom(ORG, OTHER_ORG, 'o-*'), { minLength: 1, maxLength: 2 })),
  fc.tuple(
    fc.constantFrom('ForAnyValue:StringLike', 'ForAnyValue:StringNotLike', 'ForAllValues:StringLike', 'ForAnyValue:StringEquals'),
    fc.constant('aws:PrincipalOrgPaths'),
    fc.uniqueArray(fc.constantFrom(`${ORG}/${ROOT_ID}/${OU_DEV}/*`, `${ORG}/*`, `${OTHER_ORG}/*`, `${ORG}/${ROOT_ID}/`), { minLength: 1, maxLength: 2 }),
  ),
);

interface GenStatement { json: Json; effect: 'Allow' | 'Deny'; org: boolean; notResource: boolean; actions: string[] }

function statementArb(action: string, resource: string): fc.Arbitrary<GenStatement> {
  return fc.record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
    actions: fc.uniqueArray(fc.constantFrom(...patternsFor(action), 's3:*', 'iam:*', '*'), { minLength: 1, maxLength: 2 }),
    notResource: fc.boolean(),
    resources: fc.uniqueArray(fc.constantFrom(...resourcePatternsFor(resource)), { minLength: 1, maxLength: 2 }),
    org: fc.option(orgEntryArb, { freq: 3, nil: undefined }),
    other: fc.option(conditionEntryArb, { freq: 2, nil: undefined }),
  }).map(({ effect, actions, notResource, resources, org, other }) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const e of [other, org]) if (e) (condition[e[0]] ??= {})[e[1]] = e[2];
    const json: Json = { Effect: effect, Action: actions, [notResource ? 'NotResource' : 'Resource']: resources, ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}) };
    return { json, effect, org: org !== undefined, notResource, actions };
  });
}

const caseArb = fc.constantFrom(...REQUEST_POOL).chain((target) => {
  const policy = fc.array(statementArb(target.action, target.resource), { minLength: 1, maxLength: 4 });
  return fc.record({
    target: fc.constant(target),
    context: contextArb,
    identity: fc.array(policy, { minLength: 1, maxLength: 2 }),
    boundary: fc.option(policy, { nil: undefined }),
    scp: fc.option(policy, { nil: undefined }),
    // The account's organization as the scan may know it: a member of ORG (path read or not), of
    // another, or of none (AWS said so: both keys absent).
    org: fc.constantFrom<OrganizationFacts | 'none'>(member(ORG, ACCOUNT, [ROOT_ID, OU_DEV]), member(ORG, ACCOUNT), member(OTHER_ORG, ACCOUNT, [ROOT_ID, OU_OTHER]), member(OTHER_ORG, ACCOUNT), 'none'),
  });
});

const runner: Role = {
  kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/agent-runner`, id: 'AROAAGENTRUNNER', name: 'agent-runner', path: '/', tags: {}, policies: [], unresolvedPolicyArns: [],
  trustPolicy: (() => { const r = parsePolicy(trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), 'trust'); if (!r.ok) throw new Error('trust'); return r.document; })(), instanceProfiles: [],
};

const orgOf = (o: OrganizationFacts | 'none'): OrgValues => (o === 'none' ? NO_ORGANIZATION : organizationValues(ACCOUNT, o)!);

function inputOf(k: { identity: GenStatement[][]; boundary: GenStatement[] | undefined; scp: GenStatement[] | undefined }): EffectiveInput {
  const d = (ss: GenStatement[]) => parsed({ Version: '2012-10-17', Statement: ss.map((s) => s.json) });
  return { identity: k.identity.map(d), ...(k.boundary ? { boundary: [d(k.boundary)] } : {}), ...(k.scp ? { scps: [[d(k.scp)]] } : {}) };
}

describe('knowing the organization only refines (fast-check)', () => {
  // The sets are upper bounds of what the principal may do (allowed; allowed without approval):
  // an Allow whose org test fails drops out, one whose test holds counts as before; a Deny whose
  // org test holds denies (it removed nothing under an unknown, non-approval condition), one whose
  // test fails was never counted against allowed or unconditional. So both only shrink.
  it('allowed and unconditional with the organization ⊆ without it; allResources too unless a NotResource Deny tests the organization', () => {
    fc.assert(
      fc.property(caseArb, (k) => {
        const input = inputOf(k);
        const org = orgOf(k.org);
        const open = effectivePermissions({ ...input, principal: () => principalFacts(runner) }, expander);
        const known = effectivePermissions({ ...input, principal: () => principalFacts(runner, undefined, org) }, expander);
        expect(isSubset(known.allowed, open.allowed)).toBe(true);
        expect(isSubset(known.unconditional, open.unconditional)).toBe(true);
        // A NotResource Deny counts against every-resource whatever its condition: the
        // principal it provably never applies to may gain there, and only its actions.
        const all = [...k.identity.flat(), ...(k.boundary ?? []), ...(k.scp ?? [])];
        const gained = known.allResources.clone().andNot(open.allResources);
        const spared = all.filter((s) => s.effect === 'Deny' && s.notResource && s.org);
        for (const a of gained.toArray()) expect(spared.some((s) => expander.statementActionsShared(s.actions, undefined).has(a)), c.actions[a]!.key).toBe(true);
      }),
      { numRuns: 300, seed: 3301 },
    );
  });

  // Request level, where "decided" is meant: a decision evaluate() reaches without the
  // organization keys stands when they are added (allowed stays allowed, denied stays denied);
  // only Conditional may become decided. And the
  // effective sets with the organization still over-approximate evaluate() with it.
  it('a decision without the organization is never contradicted with it; effective with it over-approximates evaluate() with it', () => {
    let settled = 0;
    fc.assert(
      fc.property(caseArb, (k) => {
        const input = inputOf(k);
        const org: OrgValues = orgOf(k.org);
        const facts = principalFacts(runner);
        const values: Record<string, string[]> = {};
        for (const [key, v] of Object.entries(k.context)) if (!facts.isAbsent(key)) values[key.toLowerCase()] = Array.isArray(v) ? v : [v];
        Object.assign(values, facts.context.values);
        const before = evaluate({ ...k.target, context: { values } }, input).decision;
        const after = evaluate({ ...k.target, context: { values: { ...values, ...org } } }, input).decision;
        // An implicit denial may turn out explicit (a Deny now known to hold): denied either way.
        if (before === 'ImplicitlyDenied') expect(after).toMatch(/Denied$/);
        else if (before !== 'Conditional') expect(after).toBe(before);
        else if (after !== 'Conditional') settled++;
        const e = effectivePermissions({ ...input, principal: () => principalFacts(runner, undefined, org) }, expander);
        if (after === 'Allowed' || after === 'Conditional') expect(e.allowed.has(id(k.target.action)), after).toBe(true);
      }),
      { numRuns: 400, seed: 3302 },
    );
    // Not vacuous: some unknowns were settled.
    expect(settled).toBeGreaterThan(0);
  });
});
