// The fix stage decides its documents with the principal's facts (session 34): verification and
// the counts after a fix re-run the evaluator on new documents, and an aws:PrincipalOrgID test in
// them (a KeptScope statement copied from today's grant, a reviewed policy) stayed unknown there
// although the effective stage had decided it (src/iam/organization.ts). AWS
// (reference_policies_condition-keys.html): aws:PrincipalOrgID "is included in the request context
// only if the principal is a member of an organization".
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { planFixes } from '../../src/fix/plan.js';
import { verifyFix } from '../../src/fix/verify.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { organizationValues } from '../../src/iam/organization.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { factsAfterFix, principalFacts } from '../../src/iam/principal-context.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Principal } from '../../src/model/snapshot.js';
import type { UsageData } from '../../src/model/usage.js';
import { IamExportBuilder, allow, policy, trust, type PolicyJson } from '../support/iam-export-builder.js';
import { snapshotFromExport } from '../support/privesc-run.js';

const ACCOUNT = '111122223333';
const ORG = 'o-aaaaaaaaaa';
const OTHER_ORG = 'o-bbbbbbbbbb';
const expander = new ActionExpander(catalog());
const USER = `arn:aws:iam::${ACCOUNT}:user/cursor-bot`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/agent-role`;
const OBJECT = 'arn:aws:s3:::data/a.txt';
const inOrg = (org: string) => ({ StringEquals: { 'aws:PrincipalOrgID': org } });

function analyzed(b: IamExportBuilder, arn: string, observed: { action: string; resources: string[] }[], config: LeashConfig) {
  const snapshot = snapshotFromExport(b.build(), 'org.json', { now: new Date('2026-11-24T12:00:00Z') });
  const usage: UsageData = {
    window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T23:59:59Z' }, coveredPrincipals: 'all', recordsRead: 10, unmapped: [],
    byPrincipal: { [arn]: { principalArn: arn, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z',
      actions: observed.map((o) => ({ ...o, count: 4, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' })) } },
  };
  const s = { ...snapshot, usage };
  const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === arn)!;
  return { plan: planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, ['f1']), principal: a.principal };
}
const withOrg = (organizationId?: string, extra: Partial<LeashConfig> = {}): LeashConfig => {
  const d = defaultConfig();
  return { ...d, ...extra, ...(organizationId ? { resources: { ...d.resources, organizationId } } : {}) };
};
function userPlan(own: PolicyJson, observed: { action: string; resources: string[] }[], organizationId?: string) {
  const b = new IamExportBuilder(ACCOUNT);
  b.user('cursor-bot', { tags: { 'ai-agent': 'true' }, inline: { own } });
  return analyzed(b, USER, observed, withOrg(organizationId));
}
const doc = (j: PolicyJson): PolicyDocument => { const r = parsePolicy(j, 'identity'); if (!r.ok) throw new Error('bad policy'); return r.document; };
const facts = (p: Principal, org?: string) => factsAfterFix(p, organizationValues(ACCOUNT, org ? { id: org, members: { [ACCOUNT]: {} } } : undefined));

describe('a right-sized policy verified with the organization the effective stage knew', () => {
  const own = policy(allow('s3:GetObject', 'arn:aws:s3:::data/*', inOrg(ORG)), allow('s3:ListAllMyBuckets'));
  const observed = [{ action: 's3:GetObject', resources: [OBJECT] }, { action: 's3:ListAllMyBuckets', resources: [] }];

  it('another organization: today\'s org-scoped grant never applied, so the call it did not explain is not held against the fix (was "denied, not safe")', () => {
    const fix = userPlan(own, observed, OTHER_ORG).plan.fixes.find((f) => f.kind === 'replace-policy')!;
    expect(fix.verification.observedCallsDenied).toEqual([]);
    expect(fix.verification.status).toBe('verified');
    expect(fix.verification.notes.join(' ')).toContain('1 observed call(s) are not granted by today\'s identity policies');
  });

  it('control: our organization keeps the grant (KeptScope with the org test) and both calls are checked and allowed', () => {
    const fix = userPlan(own, observed, ORG).plan.fixes.find((f) => f.kind === 'replace-policy')!;
    expect(JSON.stringify(fix.after)).toContain(ORG);
    expect(fix.verification).toMatchObject({ status: 'verified', observedCallsChecked: 2, observedCallsAllowed: 2, observedCallsDenied: [] });
  });

  it('control: organization unknown, as before (both sides conditional, counted as still allowed)', () => {
    const fix = userPlan(own, observed).plan.fixes.find((f) => f.kind === 'replace-policy')!;
    expect(fix.verification).toMatchObject({ status: 'verified', observedCallsChecked: 2, observedCallsAllowed: 2 });
  });
});

describe('verifyFix decides a kept or reviewed aws:PrincipalOrgID test from the principal\'s facts', () => {
  const { principal } = userPlan(policy(allow('s3:GetObject', 'arn:aws:s3:::data/*')), []);
  const today = doc(policy(allow('s3:GetObject', 'arn:aws:s3:::data/*')));
  const reviewed = doc(policy(allow(['s3:GetObject', 's3:DeleteObject'], 'arn:aws:s3:::data/*', inOrg(ORG))));
  const forbidden = ActionSet.of(expander.size, [expander.catalog.lookup('s3:DeleteObject')!.id]);
  const verify = (org?: string, withFacts = true) => verifyFix({
    identity: [reviewed], current: { identity: [today] }, observed: [{ action: 's3:GetObject', resources: [OBJECT], count: 1 }], gated: [], forbidden,
    documents: [], ...(withFacts ? { principal: facts(principal, org) } : {}),
  }, expander);

  it('our organization: the call is allowed, and the destructive action the org test lets through is still allowed without approval (not safe)', () => {
    const v = verify(ORG);
    expect(v.observedCallsAllowed).toBe(1);
    expect(v.observedCallsDenied).toEqual([]);
    expect(v.forbiddenStillAllowed).toEqual(['s3:DeleteObject']);
    expect(v.status).toBe('not-safe');
  });

  it('another organization: the new policy denies the call, and grants the destructive action to nobody here', () => {
    const v = verify(OTHER_ORG);
    expect(v.observedCallsDenied).toEqual([`s3:GetObject on ${OBJECT} → ImplicitlyDenied`]);
    expect(v.forbiddenStillAllowed).toEqual([]);
  });

  it('organization not known (or no facts given): the call is unknown, as before; a test that is no approval still counts as allowed without approval', () => {
    for (const v of [verify(undefined), verify(ORG, false)]) {
      expect(v.observedCallsDenied).toEqual([`s3:GetObject on ${OBJECT} → Conditional`]);
      expect(v.forbiddenStillAllowed).toEqual(['s3:DeleteObject']);
    }
  });
});

describe("a role's tags stay unknown for the fix (its trust fix may let the approval broker tag sessions)", () => {
  const b = new IamExportBuilder(ACCOUNT);
  b.role('agent-role', { trust: trust(`arn:aws:iam::${ACCOUNT}:root`), tags: { 'ai-agent': 'true' }, inline: { own: policy(allow(['s3:GetObject', 's3:DeleteBucket'], '*')) } });
  const observed = [{ action: 's3:GetObject', resources: [OBJECT] }, { action: 's3:DeleteBucket', resources: ['arn:aws:s3:::data'] }];
  const { plan, principal } = analyzed(b, ROLE, observed, withOrg(ORG, { approval: { ...defaultConfig().approval, condition: 'approval-session-tag' } }));

  it('the observed destructive call becomes approval-gated, not denied for want of a tag the role lacks today', () => {
    const boundary = plan.fixes.find((f) => f.kind === 'permissions-boundary')!;
    expect(boundary.verification.observedCallsGated).toEqual(['s3:DeleteBucket on arn:aws:s3:::data']);
    expect(boundary.verification.observedCallsDenied).toEqual([]);
  });

  it('control: the effective stage\'s facts say the tag is absent; the fix\'s leave it unknown and keep the organization', () => {
    expect(principalFacts(principal).isAbsent('aws:PrincipalTag/leash-approved')).toBe(true);
    const f = facts(principal, ORG);
    expect(f.isAbsent('aws:PrincipalTag/leash-approved')).toBe(false);
    expect(f.context.values['aws:principalorgid']).toEqual([ORG]);
  });
});

describe("a boundary fix's counts after are decided with the same facts as the counts before", () => {
  // Seen at 10,000 principals: 11 users' boundary fixes claimed more allowed actions after than
  // before (a boundary on the same policies cannot grant more): the after-state was computed
  // without the principal's facts, so a grant its tags rule out counted again.
  const own = policy(allow('ec2:*', '*', { StringEquals: { 'aws:PrincipalTag/team': 'data' } }), allow('s3:GetObject', 'arn:aws:s3:::data/*'));
  // No usage: no need to cap to, so the boundary keeps what the policies grant (as at 10,000).
  const boundaryOf = (tags: Record<string, string>) => {
    const b = new IamExportBuilder(ACCOUNT);
    b.user('cursor-bot', { tags: { 'ai-agent': 'true', ...tags }, inline: { own } });
    const s = snapshotFromExport(b.build(), 'org.json', { now: new Date('2026-11-24T12:00:00Z') });
    const config = withOrg();
    const a = analyzePrincipals(s, config, expander).find((x) => x.principal.arn === USER)!;
    return planFixes(a, computeNeeded(a, s.usage, config, expander), s, config, expander, ['f1']).fixes.find((f) => f.kind === 'permissions-boundary')!;
  };

  it('a user without the tag: the tag-scoped grant counts neither before nor after', () => {
    const f = boundaryOf({});
    expect(f.countsAfter!.allowedActions).toBe(f.countsBefore!.allowedActions);
  });

  it('control: a user with the tag keeps the grant in both counts', () => {
    const f = boundaryOf({ team: 'data' });
    expect(f.countsBefore!.allowedActions).toBeGreaterThan(boundaryOf({}).countsBefore!.allowedActions);
    expect(f.countsAfter!.allowedActions).toBe(f.countsBefore!.allowedActions);
  });
});
