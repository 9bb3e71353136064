// Adversarial review of IAM correctness: regression tests for false negatives in the
// "without approval" analysis and for fixes that granted more than today.
import { describe, expect, it } from 'vitest';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { runChecks } from '../../src/checks/run.js';
import { approvalConditions } from '../../src/checks/data.js';
import { defaultConfig } from '../../src/config/config.js';
import { computeNeeded } from '../../src/baseline/needed.js';
import { planFixes } from '../../src/fix/plan.js';
import { catalog } from '../../src/iam/catalog.js';
import { conditionKeys, gatesOnApproval } from '../../src/iam/conditions.js';
import { evaluate, type PolicySet } from '../../src/iam/evaluate.js';
import { effectivePermissions } from '../../src/iam/effective.js';
import { parsePolicy } from '../../src/iam/parse.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import type { PolicyDocument } from '../../src/model/policy.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { ActionUsage, UsageData } from '../../src/model/usage.js';
import { ACCOUNT, doc, snapshotOf } from '../support/snapshot.js';

const expander = new ActionExpander(catalog());
const NOW = new Date('2026-11-24T12:00:00Z');
const ARN = `arn:aws:iam::${ACCOUNT}:role/kiro-agent`;
const id = (a: string) => catalog().lookup(a)!.id;
const P = (...st: unknown[]): PolicyDocument => { const r = parsePolicy(doc(...st), 'identity'); if (!r.ok) throw new Error(r.error.path); return r.document; };

function findings(snapshot: Snapshot, check: string) {
  const principals = analyzePrincipals(snapshot, defaultConfig(), expander);
  return runChecks({ snapshot, principals, config: defaultConfig(), expander, now: NOW }).findings.filter((f) => f.checkId === check);
}
function use(action: string, resources: string[] = []): ActionUsage {
  return { action, count: 3, firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z', resources };
}
function usage(actions: ActionUsage[]): UsageData {
  return {
    window: { start: '2026-08-26T00:00:00Z', end: '2026-11-24T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 100, unmapped: [],
    byPrincipal: { [ARN]: { principalArn: ARN, actions, sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-20T00:00:00Z' } },
  };
}
function fixesOf(snapshot: Snapshot) {
  const a = analyzePrincipals(snapshot, defaultConfig(), expander).find((x) => x.principal.arn === ARN)!;
  const needed = computeNeeded(a, snapshot.usage, defaultConfig(), expander);
  return planFixes(a, needed, snapshot, defaultConfig(), expander, ['f1']).fixes;
}
const decide = (action: string, resource: string, set: PolicySet) => evaluate({ action, resource, context: { values: {} } }, set).decision;
const asDocs = (x: unknown) => (Array.isArray(x) ? x : [x]) as PolicyDocument[];

describe('a condition that is not a human approval does not hide destructive actions', () => {
  const cfnAll = { Effect: 'Allow', Action: 'cloudformation:*', Resource: '*' };
  it.each([
    ['Deny * unless aws:SecureTransport', [cfnAll, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]],
    ['region-lock Deny NotAction', [cfnAll, { Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1'] } } }]],
    ['Allow only in one region', [{ ...cfnAll, Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }]],
    ['Allow only from a corporate IP', [{ ...cfnAll, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]],
    ['Deny unless MFA, but only in one region', [cfnAll, { Effect: 'Deny', Action: 'cloudformation:Delete*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' }, StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }]],
    ['Deny unless MFA on one stack only', [cfnAll, { Effect: 'Deny', Action: 'cloudformation:*', Resource: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/prod/*`, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }]],
  ])('%s: still critical for an agent', (_n, statements) => {
    const fs = findings(snapshotOf([{ name: 'kiro-agent', inline: [doc(...statements)] }]), 'destructive-actions');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.severity).toBe('critical');
    expect(fs[0]!.actions).toContain('cloudformation:DeleteStack');
  });

  it.each([
    ['Deny unless MFA (BoolIfExists)', { Effect: 'Deny', Action: 'cloudformation:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
    ['Deny unless approval session tag', { Effect: 'Deny', Action: 'cloudformation:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/leash-approved': 'true' } } }],
  ])('%s: an approval gate still makes them conditional (info)', (_n, deny) => {
    // The approval broker passes the session tag, so the trust policy allows sts:TagSession.
    const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    const fs = findings(snapshotOf([{ name: 'kiro-agent', trust, inline: [doc(cfnAll, deny)] }]), 'destructive-actions');
    expect(fs.map((f) => f.severity)).toEqual(['info']);
    expect(fs[0]!.actions).toContain('cloudformation:DeleteStack');
  });

  it('Deny unless approval session tag, on a role no session can tag: the approval can never hold, so nothing is left', () => {
    const deny = { Effect: 'Deny', Action: 'cloudformation:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/leash-approved': 'true' } } };
    expect(findings(snapshotOf([{ name: 'kiro-agent', inline: [doc(cfnAll, deny)] }]), 'destructive-actions')).toEqual([]);
    // …and the same role tagged leash-approved itself is not gated at all.
    const fs = findings(snapshotOf([{ name: 'kiro-agent', tags: { 'leash-approved': 'true' }, inline: [doc(cfnAll, deny)] }]), 'destructive-actions');
    expect(fs.map((f) => f.severity)).toEqual(['critical']);
  });

  it('an Allow that requires MFA and a region is behind approval; a non-approval Deny removes nothing from allowed', () => {
    const e = effectivePermissions({ identity: [P(
      { Effect: 'Allow', Action: 's3:DeleteBucket', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
      { Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: '*' },
      { Effect: 'Deny', Action: 'ec2:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
    )] }, expander);
    expect(e.allowed.has(id('s3:DeleteBucket'))).toBe(true);
    expect(e.unconditional.has(id('s3:DeleteBucket'))).toBe(false);
    expect(e.unconditional.has(id('ec2:TerminateInstances'))).toBe(true);
    expect(e.allResources.has(id('ec2:TerminateInstances'))).toBe(true);
  });

  it('every approval condition leash can generate is recognised as one, for Allow and for its Deny form', () => {
    for (const c of approvalConditions().conditions) {
      expect(gatesOnApproval(c.condition as never, 'Allow'), c.id).toBe(true);
      expect(gatesOnApproval(c.denyWhen as never, 'Deny'), c.id).toBe(true);
      expect(conditionKeys(c.denyWhen as never).length).toBeGreaterThan(0);
    }
  });
});

describe('fixes never grant more than today', () => {
  const bucketDeny = { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::secrets/*' };
  const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/app`;
  const snapshot = snapshotOf([{ name: 'kiro-agent', inline: [doc(
    { Effect: 'Allow', Action: 's3:*', Resource: '*' },
    bucketDeny,
    { Effect: 'Allow', Action: 'dynamodb:*', Resource: table },
    { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
  )] }], {}, { usage: usage([use('s3:GetObject', ['arn:aws:s3:::assets/k']), use('dynamodb:GetItem', [table]), use('sqs:SendMessage')]) });
  const fixes = fixesOf(snapshot);
  const today = snapshot.principals[0]!.policies.map((x) => x.document);
  const boundary = fixes.find((f) => f.kind === 'permissions-boundary')!.after as PolicyDocument;
  const replaced = asDocs(fixes.find((f) => f.kind === 'replace-policy')!.after);

  it.each([
    ['a read the current Deny forbids', 's3:GetObject', 'arn:aws:s3:::secrets/db-password'],
    ['another table than the one granted', 'dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/payments`],
    ['a read sibling on another table', 'dynamodb:Scan', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/payments`],
  ])('right-sized policy: %s stays denied', (_n, action, resource) => {
    expect(decide(action, resource, { identity: today })).not.toBe('Allowed');
    expect(decide(action, resource, { identity: replaced, boundary: [boundary] })).not.toBe('Allowed');
  });

  it('keeps a non-approval condition that scopes a grant today, and still allows every observed call', () => {
    const withRegion = (r: string) => evaluate({ action: 'sqs:SendMessage', resource: '*', context: { values: { 'aws:requestedregion': [r] } } }, { identity: replaced, boundary: [boundary] }).decision;
    expect(withRegion('us-east-1')).toBe('Allowed');
    expect(withRegion('eu-west-1')).toBe('ImplicitlyDenied');
    expect(decide('dynamodb:GetItem', table, { identity: replaced, boundary: [boundary] })).toBe('Allowed');
    expect(decide('s3:GetObject', 'arn:aws:s3:::assets/k', { identity: replaced, boundary: [boundary] })).toBe('Allowed');
  });

  it('a replacement boundary keeps the current boundary\'s resource scope and its Denies', () => {
    const s = snapshotOf([{ name: 'kiro-agent', boundary: 'old', inline: [doc({ Effect: 'Allow', Action: ['s3:*', 'logs:*'], Resource: '*' })] }],
      { old: doc(
        { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::team-*', 'arn:aws:s3:::team-*/*'] },
        { Effect: 'Allow', Action: 'logs:*', Resource: '*' },
        { Effect: 'Deny', Action: 'logs:GetLogEvents', Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:audit:*` },
      ) }, { usage: usage([use('s3:GetObject', ['arn:aws:s3:::team-a/k']), use('logs:GetLogEvents')]) });
    const identity = s.principals[0]!.policies.map((x) => x.document);
    const old = s.principals[0]!.boundary!.document;
    const b = fixesOf(s).find((f) => f.kind === 'permissions-boundary')!;
    const after = b.after as PolicyDocument;
    for (const [action, resource] of [['s3:GetObject', 'arn:aws:s3:::prod-data/x'], ['logs:GetLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:audit:log-stream:x`]] as const) {
      expect(decide(action, resource, { identity, boundary: [old] })).not.toBe('Allowed');
      expect(decide(action, resource, { identity, boundary: [after] })).not.toBe('Allowed');
    }
    expect(decide('s3:GetObject', 'arn:aws:s3:::team-a/k', { identity, boundary: [after] })).toBe('Allowed');
    expect(b.verification.safe).toBe(true);
  });
});

describe('verifyFix with conditions the scan cannot see', () => {
  it.each([
    ['a Deny unless aws:SecureTransport', [{ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]],
    ['an Allow in one region', [{ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } }]],
  ])('today behind %s: observed calls that still succeed under the same condition keep the fix safe, and the forbidden one is gated', (_n, statements) => {
    const s = snapshotOf([{ name: 'kiro-agent', inline: [doc(...statements)] }], {}, { usage: usage([use('s3:GetObject'), use('ec2:DescribeInstances'), use('ec2:TerminateInstances')]) });
    const fixes = fixesOf(s);
    for (const kind of ['replace-policy', 'permissions-boundary', 'session-policy'] as const) {
      const f = fixes.find((x) => x.kind === kind)!;
      expect(f.verification.observedCallsDenied, kind).toEqual([]);
      expect(f.verification.safe, kind).toBe(true);
    }
    const after = fixes.find((x) => x.kind === 'replace-policy')!;
    const boundary = fixes.find((x) => x.kind === 'permissions-boundary')!.after as PolicyDocument;
    // Still within today's condition: outside it the call is denied, as it is today.
    const ctx = { values: { 'aws:securetransport': ['false'], 'aws:requestedregion': ['eu-west-1'] }, closedWorld: true };
    expect(evaluate({ action: 's3:GetObject', resource: '*', context: ctx }, { identity: asDocs(after.after), boundary: [boundary] }).decision).not.toBe('Allowed');
    expect(after.countsAfter!.destructiveActions).toBe(0);
  });
});

describe('right-sized policy wildcards stay inside what is granted on "*" today', () => {
  it('does not let s3:Get* on "*" cover s3:GetObject that today is granted only on one bucket', async () => {
    const { analyzePrincipals } = await import('../../src/checks/analyze.js');
    const { computeNeeded } = await import('../../src/baseline/needed.js');
    const { rightSizedPolicy } = await import('../../src/fix/plan.js');
    const { defaultConfig } = await import('../../src/config/config.js');
    const { catalog } = await import('../../src/iam/catalog.js');
    const { ActionExpander } = await import('../../src/iam/pattern.js');
    const { evaluate } = await import('../../src/iam/evaluate.js');
    const { snapshotOf, doc, ACCOUNT } = await import('../support/snapshot.js');
    const ex = new ActionExpander(catalog());
    const arn = `arn:aws:iam::${ACCOUNT}:role/kiro-agent`;
    // Every s3 Get* action except GetObject is granted on "*"; GetObject only on one bucket.
    const getStar = ex.keys(ex.expandAll(['s3:Get*'])).filter((a) => a !== 's3:GetObject');
    const snap = snapshotOf([{ name: 'kiro-agent', inline: [doc({ Effect: 'Allow', Action: getStar, Resource: '*' }, { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::team/*' })] }], {}, {
      usage: { window: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' }, coveredPrincipals: 'all', recordsRead: 1, unmapped: [],
        byPrincipal: { [arn]: { principalArn: arn, actions: [...getStar, 's3:GetObject'].map((action) => ({ action, count: 1, firstSeen: '2026-10-02T00:00:00Z', lastSeen: '2026-10-02T00:00:00Z', resources: [] })), sessions: [], userAgents: {}, sourceIps: [], firstSeen: '2026-10-02T00:00:00Z', lastSeen: '2026-10-02T00:00:00Z' } } },
    });
    const config = { ...defaultConfig(), baseline: { ...defaultConfig().baseline, mode: 'strict' as const } };
    const a = analyzePrincipals(snap, config, ex).find((x) => x.principal.arn === arn)!;
    const needed = computeNeeded(a, snap.usage, config, ex);
    const policy = rightSizedPolicy(needed, ex, 'strict', a.principal.policies.map((p) => p.document));
    const onOtherBucket = evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::prod-secrets/key', context: { values: {}, closedWorld: true } }, { identity: [policy] }).decision;
    expect(onOtherBucket).toBe('ImplicitlyDenied');
    const onTeamBucket = evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::team/key', context: { values: {}, closedWorld: true } }, { identity: [policy] }).decision;
    expect(onTeamBucket).toBe('Allowed');
  });
});
