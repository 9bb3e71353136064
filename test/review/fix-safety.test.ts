// Adversarial review of fix safety (H2): each case is a way a fix could be merged and break
// the agent, grant more, or let the approval be bypassed.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig, type LeashConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes } from '../../src/fix/plan.js';
import { verifyFix } from '../../src/fix/verify.js';
import { renderCliScript, renderPolicyJson } from '../../src/fix/render/index.js';
import { catalog } from '../../src/iam/catalog.js';
import { evaluate } from '../../src/iam/evaluate.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { ActionUsage, SessionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf, type RoleSpec } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const T = '2026-11-20T00:00:00Z';
const use = (action: string, resources: string[] = [], extra: Partial<ActionUsage> = {}): ActionUsage => ({ action, count: 5, firstSeen: T, lastSeen: T, resources, ...extra });
const session = (sourceIdentity?: string): SessionUsage => ({ sessionName: 's', ...(sourceIdentity ? { sourceIdentity } : {}), userAgents: ['kiro'], sourceIps: [], firstSeen: T, lastSeen: T, eventCount: 3 });

function usageFor(arn: string, actions: ActionUsage[], sessions: SessionUsage[] = []): UsageData {
  return {
    window: { start: '2026-10-24T00:00:00Z', end: '2026-11-23T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 10, unmapped: [],
    byPrincipal: { [arn]: { principalArn: arn, actions, sessions, userAgents: {}, sourceIps: [], firstSeen: T, lastSeen: T } },
  };
}
function planFor(snapshot: Snapshot, arn: string, config: LeashConfig = defaultConfig()) {
  const a = analyzePrincipals(snapshot, config, expander).find((x) => x.principal.arn === arn)!;
  const needed = computeNeeded(a, snapshot.usage, config, expander);
  return planFixes(a, needed, snapshot, config, expander, ['f']);
}
const roleArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const agentRole = (spec: Partial<RoleSpec> & { name: string }): RoleSpec => ({ tags: { 'ai-agent': 'true' }, ...spec });
const statementsOf = (after: unknown): PolicyDocument['statements'] => (Array.isArray(after) ? (after as PolicyDocument[]) : [after as PolicyDocument]).flatMap((d) => d.statements);
const withApproval = (id: string): LeashConfig => ({ ...defaultConfig(), approval: { ...defaultConfig().approval, condition: id } });

describe('an IAM Identity Center role', () => {
  const SSO = 'AWSReservedSSO_Admin_0123456789abcdef';
  const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';
  const admin = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
  const trust = doc({ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_x_DO_NOT_DELETE` }, Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'] });

  it('never has its policies detached when no replacement policy is proposed', () => {
    const arn = roleArn(SSO, SSO_PATH);
    const snapshot = snapshotOf([{ name: SSO, path: SSO_PATH, trust, managed: ['admin'] }], { admin }, { usage: usageFor(arn, [use('s3:ListAllMyBuckets')]) });
    const plan = planFor(snapshot, arn);
    expect(plan.fixes.map((f) => f.kind)).not.toContain('replace-policy');
    expect(plan.target.replacesPolicies ?? []).toEqual([]);
    expect(renderCliScript(plan.target)).not.toMatch(/^change iam detach-role-policy/m);
  });

  it('gets no trust policy or session length change even when declared an agent (Identity Center owns both)', () => {
    const arn = roleArn(SSO, SSO_PATH);
    const snapshot = snapshotOf([agentRole({ name: SSO, path: SSO_PATH, trust, inline: [admin], maxSessionDuration: 43200 })], {}, { usage: usageFor(arn, [use('s3:ListAllMyBuckets')]) });
    const kinds = planFor(snapshot, arn).fixes.map((f) => f.kind);
    expect(kinds).not.toContain('trust-policy');
    expect(kinds).not.toContain('max-session-duration');
  });

  it('says its boundary goes on the permission set, since IAM refuses changes to the role itself', () => {
    const arn = roleArn(SSO, SSO_PATH);
    const snapshot = snapshotOf([{ name: SSO, path: SSO_PATH, trust, inline: [admin] }], {}, { usage: usageFor(arn, [use('s3:ListAllMyBuckets')]) });
    const b = planFor(snapshot, arn).fixes.find((f) => f.kind === 'permissions-boundary')!;
    expect(b.notes.join(' ')).toMatch(/permission set/);
  });
});

describe('managed policy names', () => {
  const inline = [doc({ Effect: 'Allow', Action: ['s3:*'], Resource: '*' })];
  const arnA = roleArn('agent-a');
  const arnB = roleArn('agent-b');
  const world = (usedByB: string, inlineB = inline) => {
    const u = usageFor(arnA, [use('s3:ListAllMyBuckets')]);
    const ub = usageFor(arnB, [use(usedByB)]);
    const usage: UsageData = { ...u, byPrincipal: { ...u.byPrincipal, [arnB]: ub.byPrincipal[arnB]! } };
    return snapshotOf([agentRole({ name: 'agent-a', inline }), agentRole({ name: 'agent-b', inline: inlineB })], {}, { usage });
  };
  const policies = (snapshot: ReturnType<typeof world>, arn: string) => planFor(snapshot, arn).target.policies.filter((p) => p.attach === 'managed');
  it("differ between principals for their own policies, so applying a second fix never collides with or reuses the first's", () => {
    const snapshot = world('s3:ListAllMyBuckets');
    const own = (arn: string) => policies(snapshot, arn).filter((p) => !p.shared).map((p) => p.name);
    expect(own(arnA).length).toBeGreaterThan(0);
    expect(own(arnA).filter((n) => own(arnB).includes(n))).toEqual([]);
  });
  it('are one name for one boundary document, and two for two (negative control): a boundary is shared only when it says the same', () => {
    const boundary = (snapshot: ReturnType<typeof world>, arn: string) => policies(snapshot, arn).find((p) => p.purpose === 'boundary')!;
    const same = world('s3:ListAllMyBuckets');
    const [a, b] = [boundary(same, arnA), boundary(same, arnB)];
    expect(a.shared && b.shared).toBe(true);
    expect(b.name).toBe(a.name);
    expect(renderPolicyJson(b.document)).toBe(renderPolicyJson(a.document));
    const other = world('sqs:ListQueues', [doc({ Effect: 'Allow', Action: ['s3:*', 'sqs:*'], Resource: '*' })]);
    const c = boundary(other, arnB);
    expect(renderPolicyJson(c.document)).not.toBe(renderPolicyJson(a.document));
    expect(c.name).not.toBe(a.name);
    expect(boundary(other, arnA).name).toBe(a.name);
  });
});

describe('right-sized resource scope', () => {
  const inline = [doc({ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' })];
  const arn = roleArn('kiro-agent');
  const strict: LeashConfig = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: 'strict' } };

  it('is not narrowed to a resource list CloudTrail aggregation truncated', () => {
    const seen = ['arn:aws:s3:::data/a', 'arn:aws:s3:::data/b'];
    const snapshot = snapshotOf([agentRole({ name: 'kiro-agent', inline })], {}, { usage: usageFor(arn, [use('s3:GetObject', seen, { truncated: true })]) });
    const replace = planFor(snapshot, arn, strict).fixes.find((f) => f.kind === 'replace-policy')!;
    // An object read but not recorded (the list was full) must still be readable.
    const decision = evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::data/c', context: { values: {} } }, { identity: Array.isArray(replace.after) ? (replace.after as PolicyDocument[]) : [replace.after as PolicyDocument] }).decision;
    expect(decision).toBe('Allowed');
  });

  it('is not narrowed to the observed resources of an action that authorizes several resource types per call', () => {
    // RunInstances is authorized on the image, subnet, security group, network interface and
    // instance at once; CloudTrail lists only the instance.
    const snapshot = snapshotOf([agentRole({ name: 'kiro-agent', inline })], {}, { usage: usageFor(arn, [use('ec2:RunInstances', [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0abc`])]) });
    const replace = planFor(snapshot, arn, strict).fixes.find((f) => f.kind === 'replace-policy')!;
    const decision = evaluate({ action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1::image/ami-0123', context: { values: {} } }, { identity: Array.isArray(replace.after) ? (replace.after as PolicyDocument[]) : [replace.after as PolicyDocument] }).decision;
    expect(decision).toBe('Allowed');
  });

  it('is still narrowed for a single-resource-type action fully observed', () => {
    const snapshot = snapshotOf([agentRole({ name: 'kiro-agent', inline })], {}, { usage: usageFor(arn, [use('s3:GetObject', ['arn:aws:s3:::data/a'])]) });
    const replace = planFor(snapshot, arn, strict).fixes.find((f) => f.kind === 'replace-policy')!;
    expect(statementsOf(replace.after).find((s) => s.action?.includes('s3:GetObject'))!.resource).toEqual(['arn:aws:s3:::data/a']);
  });
});

describe('the boundary cannot be talked round', () => {
  const arn = roleArn('kiro-agent');
  const iamAll = [doc({ Effect: 'Allow', Action: ['iam:*', 's3:*'], Resource: '*' })];
  const boundaryOf = (config: LeashConfig) => {
    const snapshot = snapshotOf([agentRole({ name: 'kiro-agent', inline: iamAll })]);
    const plan = planFor(snapshot, arn, config);
    return { plan, boundary: plan.fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument, identity: snapshot.principals[0]!.policies.map((p) => p.document) };
  };

  it('with approval-session-tag: the agent cannot tag itself leash-approved', () => {
    const { boundary, identity } = boundaryOf(withApproval('approval-session-tag'));
    const d = evaluate({ action: 'iam:TagRole', resource: arn, context: { values: { 'aws:tagkeys': ['leash-approved'], 'aws:requesttag/leash-approved': ['true'] }, closedWorld: true } }, { identity, boundary: [boundary] }).decision;
    expect(d).toBe('ExplicitlyDenied');
    // Ordinary tagging stays possible.
    const other = evaluate({ action: 'iam:TagRole', resource: arn, context: { values: { 'aws:tagkeys': ['team'] }, closedWorld: true } }, { identity, boundary: [boundary] }).decision;
    expect(other).toBe('Allowed');
  });

  it('with mfa-present: the agent cannot enrol an MFA device, even in an MFA session', () => {
    const { boundary, identity } = boundaryOf(withApproval('mfa-present'));
    const d = evaluate({ action: 'iam:EnableMFADevice', resource: `arn:aws:iam::${ACCOUNT}:user/alice`, context: { values: { 'aws:multifactorauthpresent': ['true'] }, closedWorld: true } }, { identity, boundary: [boundary] }).decision;
    expect(d).toBe('ExplicitlyDenied');
  });

  it('cannot rewrite its own boundary policy, even with the approval condition met', () => {
    const { boundary, identity, plan } = boundaryOf(defaultConfig());
    const name = plan.target.policies.find((p) => p.purpose === 'boundary')!.name;
    const policyArn = `arn:aws:iam::${ACCOUNT}:policy/${name}`;
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy']) {
      const d = evaluate({ action, resource: policyArn, context: { values: { 'aws:multifactorauthpresent': ['true'] }, closedWorld: true } }, { identity, boundary: [boundary] }).decision;
      expect(`${action} ${d}`).toBe(`${action} ExplicitlyDenied`);
    }
  });
});

describe('trust policy verification', () => {
  it('is not safe while it holds a placeholder callers cannot meet', () => {
    const arn = roleArn('partner-agent');
    const snapshot = snapshotOf([agentRole({ name: 'partner-agent', trust: doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' }), inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] })]);
    const trust = planFor(snapshot, arn).fixes.find((f) => f.kind === 'trust-policy')!;
    expect(JSON.stringify(trust.after)).toContain('REPLACE-WITH-EXTERNAL-ID');
    expect(trust.verification.safe).toBe(false);
  });

  it('is not safe when it requires a source identity that observed sessions did not set', () => {
    const arn = roleArn('kiro-agent');
    const snapshot = snapshotOf([agentRole({ name: 'kiro-agent', inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] })], {}, { usage: usageFor(arn, [use('s3:GetObject')], [session(), session('alice')]) });
    const trust = planFor(snapshot, arn).fixes.find((f) => f.kind === 'trust-policy')!;
    expect(JSON.stringify(trust.after)).toContain('sts:SourceIdentity');
    expect(trust.verification.safe).toBe(false);
    // With every observed session already setting one, the requirement breaks nothing.
    const allSet = snapshotOf([agentRole({ name: 'kiro-agent', inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] })], {}, { usage: usageFor(arn, [use('s3:GetObject')], [session('alice'), session('bob')]) });
    expect(planFor(allSet, arn).fixes.find((f) => f.kind === 'trust-policy')!.verification.safe).toBe(true);
  });

  // Session 32: a session is let in or not; the summary said "0 become approval-gated" here.
  it('says how many observed sessions it still lets in and which it refuses, with no approval-gated part; control: none refused', () => {
    const arn = roleArn('kiro-agent');
    const at = (sessions: SessionUsage[]) => planFor(snapshotOf([agentRole({ name: 'kiro-agent', inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] })], {}, { usage: usageFor(arn, [use('s3:GetObject')], sessions) }), arn).fixes.find((f) => f.kind === 'trust-policy')!.verification.summary;
    expect(at([session(), session('alice')])).toBe('1 observed session still allowed; 1 refused, so not safe to apply as is (session s set no sts:SourceIdentity)');
    expect(at([session('alice'), session('bob')])).toBe('2 observed sessions still allowed; none refused');
  });

  it('keeps Principal "*" that an organization condition already restricts (replacing it would lock out the other accounts)', () => {
    const arn = roleArn('org-agent');
    const snapshot = snapshotOf([agentRole({ name: 'org-agent', trust: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }), inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] })]);
    const trust = planFor(snapshot, arn).fixes.find((f) => f.kind === 'trust-policy');
    const principal = trust ? (trust.after as PolicyDocument).statements[0]!.principal : '*';
    expect(JSON.stringify(principal)).toContain('"*"');
  });
});

describe('session length verification', () => {
  it('says how many observed sessions fit the new length and which ran longer, with no approval-gated part; control: none longer', () => {
    const arn = roleArn('kiro-agent');
    const long: SessionUsage = { ...session('alice'), sessionName: 'long', firstSeen: '2026-11-20T00:00:00Z', lastSeen: '2026-11-20T02:00:00Z' };
    const at = (sessions: SessionUsage[]) => planFor(snapshotOf([agentRole({ name: 'kiro-agent', maxSessionDuration: 43200, inline: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })] })], {}, { usage: usageFor(arn, [use('s3:GetObject')], sessions) }), arn).fixes.find((f) => f.kind === 'max-session-duration')!.verification;
    const cut = at([session('alice'), long]);
    expect(cut.summary).toBe('1 observed session within 1 h; 1 ran longer, so not safe to apply as is (session long ran 120 min)');
    expect(cut.safe).toBe(false);
    const fits = at([session('alice'), session('bob')]);
    expect(fits.summary).toBe('2 observed sessions within 1 h; none ran longer');
    expect(fits.safe).toBe(true);
  });
});

describe('session policy verification', () => {
  it('re-checks observed calls through the session policy itself', () => {
    const identity: PolicyDocument[] = [{ version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['s3:*'], resource: ['*'] }] }];
    const session: PolicyDocument = { version: '2012-10-17', statements: [{ index: 0, effect: 'Allow', action: ['s3:ListAllMyBuckets'], resource: ['*'] }] };
    const v = verifyFix({ identity, session, observed: [{ action: 's3:GetObject', resources: [], count: 1 }], gated: [], documents: [{ name: 'session-policy', document: session, sizeOk: true }] }, expander);
    expect(v.safe).toBe(false);
    expect(v.observedCallsDenied.join()).toContain('s3:GetObject');
  });
});
