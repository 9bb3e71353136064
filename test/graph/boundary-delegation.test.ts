// Session 31: AWS's documented way to delegate IAM administration lets a delegated admin set a
// permissions boundary only to a named policy (IAM User Guide, access_policies_boundaries.html,
// "Delegating responsibility to others using permissions boundaries": CreateOrChangeOnlyWithBoundary
// with `StringEquals iam:PermissionsBoundary …/XCompanyBoundaries`). leash read that put as a
// possible boundary *removal*, so every delegated admin built that way reached administrator. Such a
// put replaces the boundary with the named policy: what it gains is what that policy allows beyond
// the boundary it replaces, no more. iam:Delete*PermissionsBoundary is still a removal.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const REMOVAL = 'iam-remove-permissions-boundary';

function scan(s: Snapshot, principal: string) {
  const [a] = analyzeSnapshots([s], defaultConfig(), opts);
  const r = a!.report;
  const mine = r.findings.filter((f) => f.principalArn === principal);
  return {
    admin: mine.filter((f) => f.checkId === 'reaches-admin'),
    removal: mine.filter((f) => f.checkId === 'privilege-escalation' && f.subject === REMOVAL),
    hops: r.graph!.hops.filter((h) => h.from === principal),
  };
}

describe('AWS\'s delegation example (access_policies_boundaries.html), as an export', () => {
  const XB = arn(DEV, 'policy', 'XCompanyBoundaries');
  const ZHANG = arn(DEV, 'user', 'Zhang');
  // Task 1 — the boundary every new user gets.
  const xCompanyBoundaries = doc(
    { Sid: 'ServiceBoundaries', Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*', 'dynamodb:*'], Resource: '*' },
    { Sid: 'AllowIAMConsoleForCredentials', Effect: 'Allow', Action: ['iam:ListUsers', 'iam:GetAccountPasswordPolicy'], Resource: '*' },
    { Sid: 'AllowManageOwnPasswordAndAccessKeys', Effect: 'Allow', Action: ['iam:*AccessKey*', 'iam:ChangePassword', 'iam:GetUser', 'iam:*ServiceSpecificCredential*', 'iam:*SigningCertificate*'], Resource: ['arn:aws:iam::*:user/${aws:username}'] },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/*'] },
    { Sid: 'DenyEC2Production', Effect: 'Deny', Action: 'ec2:*', Resource: 'arn:aws:ec2:*:*:instance/i-1234567890abcdef0' },
  );
  // Task 2 — Zhang's boundary (the page's own text, its account id made this export's).
  const delegatedUserBoundary = (put: 'named' | 'unconditioned', deleteAllowed = false) => doc(
    { Sid: 'CreateOrChangeOnlyWithBoundary', Effect: 'Allow', Action: ['iam:CreateUser', 'iam:DeleteUserPolicy', 'iam:AttachUserPolicy', 'iam:DetachUserPolicy', ...(put === 'named' ? ['iam:PutUserPermissionsBoundary'] : [])], Resource: '*', Condition: { StringEquals: { 'iam:PermissionsBoundary': XB } } },
    ...(put === 'unconditioned' ? [allow('iam:PutUserPermissionsBoundary')] : []),
    { Sid: 'CloudWatchAndOtherIAMTasks', Effect: 'Allow', Action: ['cloudwatch:*', 'iam:GetUser', 'iam:ListUsers', 'iam:DeleteUser', 'iam:UpdateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:GetAccountPasswordPolicy', 'iam:GetLoginProfile', 'iam:*Group*', 'iam:CreatePolicy', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:GetUserPolicy', 'iam:GetRolePolicy', 'iam:ListPolicies', 'iam:ListPolicyVersions', 'iam:ListEntitiesForPolicy', 'iam:ListUserPolicies', 'iam:ListAttachedUserPolicies', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:PutUserPolicy', 'iam:SetDefaultPolicyVersion', 'iam:SimulatePrincipalPolicy', 'iam:SimulateCustomPolicy'], Resource: '*' },
    { Sid: 'NoBoundaryPolicyEdit', Effect: 'Deny', Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'], Resource: [XB, arn(DEV, 'policy', 'DelegatedUserBoundary')] },
    deleteAllowed ? allow('iam:DeleteUserPermissionsBoundary') : { Sid: 'NoBoundaryUserDelete', Effect: 'Deny', Action: 'iam:DeleteUserPermissionsBoundary', Resource: '*' },
  );
  // Task 3 — Zhang's permissions policy.
  const delegatedUserPermissions = doc(
    { Sid: 'IAM', Effect: 'Allow', Action: 'iam:*', Resource: '*' },
    { Sid: 'CloudWatchLimited', Effect: 'Allow', Action: ['cloudwatch:GetDashboard', 'cloudwatch:GetMetricData', 'cloudwatch:ListDashboards', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics'], Resource: '*' },
    { Sid: 'S3BucketContents', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::ZhangBucket' },
  );
  const world = (boundary: Doc, newUsers: Doc = xCompanyBoundaries): Snapshot => snapshot({
    policies: { XCompanyBoundaries: newUsers, DelegatedUserBoundary: boundary, DelegatedUserPermissions: delegatedUserPermissions },
    users: [{ name: 'Zhang', managed: ['DelegatedUserPermissions'], boundary: 'DelegatedUserBoundary' }],
  });

  it('the page as written: no path to administrator; the put replaces the boundary with XCompanyBoundaries (proven), never removes it', () => {
    const { admin, removal, hops } = scan(world(delegatedUserBoundary('named')), ZHANG);
    expect(admin).toEqual([]);
    const puts = hops.filter((h) => h.actions.includes('iam:PutUserPermissionsBoundary'));
    expect(puts.map((h) => h.to)).not.toContain(`${ZHANG}#unbounded`);
    expect(puts.find((h) => h.to === `${ZHANG}#boundary:${XB}`)?.condition).toBe('none');
    // What the page leaves open is real, and no more: XCompanyBoundaries allows Zhang more than
    // DelegatedUserBoundary does (his own access keys, s3:*, ec2:* once he gives himself a policy:
    // PutUserPolicy is allowed unconditionally) — reported as that, proven, not as administrator.
    expect(removal.map((f) => f.severity)).toEqual(['high']);
    expect(removal[0]!.description).toContain('boundary replaced by XCompanyBoundaries');
    expect(removal[0]!.description).not.toContain('boundary removed');
    expect(removal[0]!.description).not.toContain('administrator');
  });

  it('session 32: every hop the export can decide is decided (none unknown); the users Zhang creates are capped by XCompanyBoundaries', () => {
    const { hops, removal } = scan(world(delegatedUserBoundary('named')), ZHANG);
    expect(hops.filter((h) => h.condition !== 'none').map((h) => `${h.technique} → ${h.to}`)).toEqual([]);
    // AttachUserPolicy is allowed only on users whose boundary is XCompanyBoundaries: not Zhang as listed (was an unknown hop).
    expect(hops.filter((h) => h.technique === 'iam-attach-user-policy')).toEqual([]);
    // CreateUser only with XCompanyBoundaries, then PutUserPolicy and CreateAccessKey: a new user capped by it, never uncapped.
    const created = hops.filter((h) => h.technique === 'iam-create-user-with-policy');
    expect(created.map((h) => `${h.to} ${h.condition}`)).toEqual([`new-user@${DEV}#elevated+boundary:${XB} none`]);
    // The page's one real gap, by either way in: the replacement finding as before, and the new user it may create (the same cap, high, no administrator).
    expect(removal.map((f) => f.severity)).toEqual(['high']);
    const [a] = analyzeSnapshots([world(delegatedUserBoundary('named'))], defaultConfig(), opts);
    const create = a!.report.findings.filter((f) => f.principalArn === ZHANG && f.subject === 'iam-create-user-with-policy');
    expect(create.map((f) => f.severity)).toEqual(['high']);
    expect(create[0]!.description).toContain('boundary XCompanyBoundaries');
    expect(create[0]!.description).not.toContain('administrator');
  });

  it('session 32, control: CreateUser unconditioned → a new user given any policy, uncapped: administrator', () => {
    const unconditioned = doc(...delegatedUserBoundary('named').Statement, allow('iam:CreateUser'));
    const { hops, admin } = scan(world(unconditioned), ZHANG);
    expect(hops.filter((h) => h.technique === 'iam-create-user-with-policy').map((h) => `${h.to} ${h.condition}`)).toContain(`ceiling:${DEV} none`);
    expect(admin).toHaveLength(1);
  });

  it('negative: the boundary it may set allows nothing its own boundary does not → no boundary finding, no administrator', () => {
    // XCompanyBoundaries narrowed to what DelegatedUserBoundary already allows Zhang.
    const narrow = doc(allow('cloudwatch:*'), allow(['iam:GetUser', 'iam:ListUsers']));
    const { admin, removal, hops } = scan(world(delegatedUserBoundary('named'), narrow), ZHANG);
    expect(hops.some((h) => h.to === `${ZHANG}#boundary:${XB}`)).toBe(true);
    expect(admin).toEqual([]);
    expect(removal).toEqual([]);
  });

  it('positive control: the same page with the put unconditioned → the removal hop and administrator, as before', () => {
    const { admin, removal, hops } = scan(world(delegatedUserBoundary('unconditioned')), ZHANG);
    expect(hops.some((h) => h.to === `${ZHANG}#unbounded` && h.technique === REMOVAL)).toBe(true);
    expect(admin).toHaveLength(1);
    expect(removal).toHaveLength(1);
  });

  it('positive control: its boundary allowing DeleteUserPermissionsBoundary (no NoBoundaryUserDelete) → the boundary removed (found), whatever the put allows', () => {
    const { hops, removal } = scan(world(delegatedUserBoundary('named', true)), ZHANG);
    expect(hops.find((h) => h.to === `${ZHANG}#unbounded` && h.actions.includes('iam:DeleteUserPermissionsBoundary'))?.condition).toBe('none');
    expect(removal[0]!.description).toContain('boundary removed');
  });
});

const ME = { user: arn(DEV, 'user', 'agent'), role: arn(DEV, 'role', 'agent') } as const;
const PUT = { user: 'iam:PutUserPermissionsBoundary', role: 'iam:PutRolePermissionsBoundary' } as const;
const DEL = { user: 'iam:DeleteUserPermissionsBoundary', role: 'iam:DeleteRolePermissionsBoundary' } as const;
const REWRITE = { user: 'iam:PutUserPolicy', role: 'iam:PutRolePolicy' } as const;
const OPEN = arn(DEV, 'policy', 'open');
const NARROW = arn(DEV, 'policy', 'narrow');
const FENCE = arn(DEV, 'policy', 'fence');
const named = (policy: string) => ({ StringEquals: { 'iam:PermissionsBoundary': policy } });

describe.each(['user', 'role'] as const)('a bounded %s that may set its own boundary only to a named policy', (kind) => {
  const me = ME[kind];
  /** `agent` with `identity`, bounded by `fence`; the export holds `open` (Allow *) and `narrow` (s3:GetObject). */
  const world = (identity: Doc, fence: Doc, more: Partial<AccountSpec> = {}): Snapshot => snapshot({
    policies: { open: doc(allow('*')), narrow: doc(allow('s3:GetObject')), fence },
    ...(kind === 'user' ? { users: [{ name: 'agent', inline: [identity], boundary: 'fence' }] } : { roles: [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [identity], boundary: 'fence' }] }),
    ...more,
  });
  // Its identity allows everything; the fence allows reads and the put limited by `condition`.
  const fenced = (condition: unknown, ...more: unknown[]) => doc(allow('s3:GetObject'), allow(PUT[kind], me, condition), ...more);

  it('negative: the named boundary is narrower than its own → no removal hop, no boundary finding, no administrator', () => {
    const { admin, removal, hops } = scan(world(doc(allow('*')), fenced(named(NARROW))), me);
    expect(hops.filter((h) => h.technique === REMOVAL).map((h) => h.to)).toEqual([`${me}#boundary:${NARROW}`]);
    expect(admin).toEqual([]);
    expect(removal).toEqual([]);
  });

  it('negative: the limit in its identity policy instead of its boundary → the same', () => {
    const identity = doc(allow('s3:GetObject'), allow(PUT[kind], me, { ArnEquals: { 'iam:PermissionsBoundary': NARROW } }));
    const { admin, removal, hops } = scan(world(identity, doc(allow('s3:GetObject'), allow(PUT[kind]))), me);
    expect(hops.filter((h) => h.technique === REMOVAL).map((h) => h.to)).toEqual([`${me}#boundary:${NARROW}`]);
    expect(admin).toEqual([]);
    expect(removal).toEqual([]);
  });

  it('positive: the named boundary allows `*` → administrator, proven, critical', () => {
    const { admin, removal, hops } = scan(world(doc(allow('*')), fenced(named(OPEN))), me);
    expect(hops.find((h) => h.to === `${me}#boundary:${OPEN}`)?.condition).toBe('none');
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
    expect(removal.map((f) => f.severity)).toEqual(['critical']);
    expect(removal[0]!.description).toContain('boundary replaced by open');
  });

  it('positive: an unconditioned put → the removal hop as before (critical)', () => {
    const { admin, hops } = scan(world(doc(allow('*')), doc(allow('s3:GetObject'), allow(PUT[kind], me))), me);
    expect(hops.find((h) => h.to === `${me}#unbounded`)?.condition).toBe('none');
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
  });

  it('kept unknown: a pattern, a variable, another operator or key, a policy the export lacks → the removal hop, unknown (not critical)', () => {
    for (const condition of [
      { StringLike: { 'iam:PermissionsBoundary': `arn:aws:iam::${DEV}:policy/team-*` } },
      { StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::${DEV}:policy/\${aws:PrincipalTag/team}` } },
      { StringEqualsIgnoreCase: { 'iam:PermissionsBoundary': NARROW } },
      { StringEquals: { 'iam:PermissionsBoundary': NARROW, 'aws:RequestedRegion': 'us-east-1' } },
      named(arn(DEV, 'policy', 'not-in-export')),
    ]) {
      const { admin, hops } = scan(world(doc(allow('*')), fenced(condition)), me);
      expect(hops.find((h) => h.to === `${me}#unbounded`)?.condition, JSON.stringify(condition)).toBe('unknown');
      expect(admin, JSON.stringify(condition)).toHaveLength(1);
      expect(admin[0]!.severity, JSON.stringify(condition)).not.toBe('critical');
    }
  });

  it('hostile: a Condition that tests nothing is no limit → the removal as for an unconditioned put (proven, critical)', () => {
    for (const condition of [{}, { StringEquals: {} }]) {
      const { admin, hops } = scan(world(doc(allow('*')), fenced(condition)), me);
      expect(hops.find((h) => h.to === `${me}#unbounded`)?.condition, JSON.stringify(condition)).toBe('none');
      expect(admin.map((f) => f.severity), JSON.stringify(condition)).toEqual(['critical']);
    }
  });

  it('a pattern the export\'s policies match: each named state too, beside the unknown removal; one that matches `open` → administrator, proven', () => {
    const { hops } = scan(world(doc(allow('*')), fenced({ StringLike: { 'iam:PermissionsBoundary': `arn:aws:iam::${DEV}:policy/nar*` } })), me);
    expect(hops.filter((h) => h.technique === REMOVAL).map((h) => h.to).sort()).toEqual([`${me}#boundary:${NARROW}`, `${me}#unbounded`]);
    const all = scan(world(doc(allow('*')), fenced({ StringLike: { 'iam:PermissionsBoundary': `arn:aws:iam::${DEV}:policy/*` } })), me);
    expect(all.hops.find((h) => h.to === `${me}#boundary:${OPEN}`)?.condition).toBe('none');
    expect(all.admin.map((f) => f.severity)).toEqual(['critical']);
  });

  it('positive: Delete*PermissionsBoundary allowed beside the named put → removal found (critical)', () => {
    const { admin, hops } = scan(world(doc(allow('*')), fenced(named(NARROW), allow(DEL[kind], me))), me);
    expect(hops.find((h) => h.to === `${me}#unbounded` && h.actions.includes(DEL[kind]))?.condition).toBe('none');
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
  });

  it('negative: an SCP denies the put → no replacement hop', () => {
    const scps = [doc(allow('*'), deny(PUT[kind]))];
    const { removal, hops } = scan(world(doc(allow('*')), fenced(named(OPEN)), { scps }), me);
    expect(hops.filter((h) => h.technique === REMOVAL)).toEqual([]);
    expect(removal).toEqual([]);
  });

  describe('joined with a rewrite of its policies (the rewrite capped by the named policy)', () => {
    const both = (policy: string) => doc(allow('s3:GetObject'), allow(REWRITE[kind], me), allow(PUT[kind], me, named(policy)));

    it('negative: rewrite + a narrow named boundary → no administrator, no boundary finding', () => {
      const { admin, removal, hops } = scan(world(both(NARROW), both(NARROW)), me);
      expect(hops.some((h) => h.to === `${me}#elevated+boundary:${NARROW}`)).toBe(true);
      expect(hops.map((h) => h.to)).not.toContain(`${me}#elevated+unbounded`);
      expect(hops.map((h) => h.to)).not.toContain(`ceiling:${DEV}`);
      expect(admin).toEqual([]);
      expect(removal).toEqual([]);
    });

    it('positive: rewrite + a named boundary that allows `*` → administrator in one hop naming both actions (critical)', () => {
      const { admin, removal } = scan(world(both(OPEN), both(OPEN)), me);
      expect(admin.map((f) => f.severity)).toEqual(['critical']);
      expect(removal.map((f) => f.severity)).toEqual(['critical']);
      expect(removal[0]!.description).toContain('policies rewritten, boundary replaced by open');
      const hop = scan(world(both(OPEN), both(OPEN)), me).hops.find((h) => h.to === `${me}#elevated+boundary:${OPEN}` && h.technique === REMOVAL);
      expect(hop?.actions).toEqual([REWRITE[kind], PUT[kind]]);
    });

    it('positive, in two steps: the fence allows only the put; the named policy allows the rewrite → replaced, then rewritten', () => {
      const { admin } = scan(world(both(OPEN), doc(allow('s3:GetObject'), allow(PUT[kind], me, named(OPEN)))), me);
      expect(admin.map((f) => f.severity)).toEqual(['critical']);
      // Control: its identity cannot rewrite → the named policy caps only what it has.
      expect(scan(world(doc(allow('s3:GetObject'), allow(PUT[kind], me, named(OPEN))), doc(allow('s3:GetObject'), allow(PUT[kind], me, named(OPEN)))), me).admin).toEqual([]);
    });
  });
});

describe('the put on another principal', () => {
  const OTHER = arn(DEV, 'role', 'other');
  const spec = (editor: Doc, otherPolicy: Doc): AccountSpec => ({
    policies: { open: doc(allow('*')), narrow: doc(allow('s3:GetObject')), fence: doc(allow(['s3:GetObject', 's3:ListBucket'])) },
    users: [{ name: 'editor', inline: [editor] }],
    roles: [{ name: 'other', trust: trust({ AWS: arn(DEV, 'user', 'editor') }), inline: [otherPolicy], boundary: 'fence' }],
  });
  const EDITOR = arn(DEV, 'user', 'editor');

  it('negative: an editor that may set only `narrow` on a role it can assume, whose policy is `*` → no administrator', () => {
    const editor = doc(allow('iam:PutRolePermissionsBoundary', OTHER, named(NARROW)), allow('sts:AssumeRole', OTHER));
    expect(scan(snapshot(spec(editor, doc(allow('*')))), EDITOR).admin).toEqual([]);
  });

  it('positive: the same editor allowed `open` → administrator through that role (proven)', () => {
    const editor = doc(allow('iam:PutRolePermissionsBoundary', OTHER, named(OPEN)), allow('sts:AssumeRole', OTHER));
    const { admin, hops } = scan(snapshot(spec(editor, doc(allow('*')))), EDITOR);
    expect(admin.map((f) => f.severity)).toEqual(['critical']);
    expect(hops.find((h) => h.to === `${OTHER}#boundary:${OPEN}`)?.condition).toBe('none');
  });
});

describe('an attach "limited" by an empty Condition (hostile: it tests nothing)', () => {
  it('is the "any policy" hop (the shared administrator node), not the export\'s named policies only (control: ArnEquals names one)', () => {
    const hops = (condition: unknown) => scan(snapshot({
      policies: { narrow: doc(allow('s3:GetObject')) },
      users: [{ name: 'agent', inline: [doc(allow('iam:AttachUserPolicy', ME.user, condition))] }],
    }), ME.user).hops.filter((h) => h.technique === 'iam-attach-user-policy').map((h) => h.to).sort();
    for (const condition of [{}, { ArnEquals: {} }]) expect(hops(condition), JSON.stringify(condition)).toContain(`ceiling:${DEV}`);
    expect(hops({ ArnEquals: { 'iam:PolicyARN': NARROW } })).toEqual([`${ME.user}#attached:${NARROW}`]);
  });
});

describe('a named put the export cannot place', () => {
  it('a boundary already in place is not "replaced" by itself: no hop', () => {
    const fence = doc(allow('s3:GetObject'), allow('iam:PutUserPermissionsBoundary', ME.user, named(FENCE)));
    const { hops } = scan(snapshot({ policies: { fence }, users: [{ name: 'agent', inline: [doc(allow('*'))], boundary: 'fence' }] }), ME.user);
    expect(hops.filter((h) => h.technique === REMOVAL)).toEqual([]);
  });
});
