// Session 30 left: a bounded principal that may attach a named managed policy (iam:PolicyARN) or
// make another version of its policy the default, *and* remove or replace its boundary, got the
// two states apart, never their union: a path to administrator was missed when the boundary
// capped the attached policy. IAM: a bounded principal's permissions are its identity policies ∩
// its boundary (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html);
// with the boundary gone only SCPs are left.
import { describe, expect, it } from 'vitest';
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { DEV, allow, arn, deny, doc, exportOf, snapshot, trust, snapshotWithVersions, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };
const ME = { user: arn(DEV, 'user', 'agent'), role: arn(DEV, 'role', 'agent') } as const;
const ATTACH = { user: 'iam:AttachUserPolicy', role: 'iam:AttachRolePolicy' } as const;
const ATTACH_TECHNIQUE = { user: 'iam-attach-user-policy', role: 'iam-attach-role-policy' } as const;
const DEL = { user: 'iam:DeleteUserPermissionsBoundary', role: 'iam:DeleteRolePermissionsBoundary' } as const;
const EVERYTHING = arn(DEV, 'policy', 'everything');
const HARMLESS = arn(DEV, 'policy', 'harmless');
const BOUNDARY_TECHNIQUE = 'iam-remove-permissions-boundary';

function findings(s: Snapshot, principal: string, checkId: string) {
  const [a] = analyzeSnapshots([s], defaultConfig(), opts);
  return a!.report.findings.filter((f) => f.principalArn === principal && f.checkId === checkId);
}
const text = (f: { evidence: readonly { kind: string; value?: string }[] }) => f.evidence.map((e) => (e.kind === 'attribute' ? e.value : '')).join('\n');
const named = (policy: string) => ({ ArnEquals: { 'iam:PolicyARN': policy } });

describe.each(['user', 'role'] as const)('a bounded %s that may attach a named policy and remove its own boundary', (kind) => {
  const me = ME[kind];
  /** `agent` with identity policy `identity` and boundary `fence`; the export holds `everything` (Allow *) and `harmless`. */
  const world = (identity: Doc, fence: Doc, more: Partial<AccountSpec> = {}): Snapshot => snapshot({
    policies: { everything: doc(allow('*')), harmless: doc(allow('s3:GetObject')), fence },
    ...(kind === 'user' ? { users: [{ name: 'agent', inline: [identity], boundary: 'fence' }] } : { roles: [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [identity], boundary: 'fence' }] }),
    ...more,
  });
  const both = (policy: string) => doc(allow(ATTACH[kind], me, named(policy)), allow(DEL[kind], me), allow('s3:GetObject'));

  it('positive: attach `everything` and remove the boundary → administrator in one hop naming both actions', () => {
    const f = findings(world(both(EVERYTHING), both(EVERYTHING)), me, 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('agent (given everything, boundary removed)');
    expect(text(f[0]!)).toContain(`${ATTACH[kind]}, ${DEL[kind]}`);
  });

  it('positive: privilege-escalation names the boundary removal (critical), whose own state gains nothing', () => {
    const f = findings(world(both(EVERYTHING), both(EVERYTHING)), me, 'privilege-escalation').filter((x) => x.subject === BOUNDARY_TECHNIQUE);
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(f[0]!.description).toContain('boundary removed');
  });

  it('the joined hop carries the removal\'s technique only when the join gains more than the attach alone', () => {
    const joinedHops = (fence: Doc) => {
      const [a] = analyzeSnapshots([world(both(EVERYTHING), fence)], defaultConfig(), opts);
      return a!.report.graph!.hops.filter((h) => h.from === me && h.to === `${me}#attached:${EVERYTHING}+unbounded`).map((h) => h.technique).sort();
    };
    // Capped by the boundary, `everything` alone gives nothing: the removal is what gains.
    expect(joinedHops(both(EVERYTHING))).toEqual([BOUNDARY_TECHNIQUE, ATTACH_TECHNIQUE[kind]].sort());
    // Control: a boundary that allows everything caps nothing, so the attach alone is administrator.
    expect(joinedHops(doc(allow('*')))).toEqual([ATTACH_TECHNIQUE[kind]]);
  });

  it('positive, in two steps: the boundary allows the attach and the removal, the identity only the attach → attached, then (allowed by `everything`) unbounded', () => {
    const identity = doc(allow(ATTACH[kind], me, named(EVERYTHING)), allow('s3:GetObject'));
    expect(findings(world(identity, both(EVERYTHING)), me, 'reaches-admin').map((x) => x.severity)).toEqual(['critical']);
  });

  it('positive, in two steps: the boundary allows only the removal → unbounded first, then the attach', () => {
    const fence = doc(allow(DEL[kind], me), allow('s3:GetObject'));
    expect(findings(world(both(EVERYTHING), fence), me, 'reaches-admin').map((x) => x.severity)).toEqual(['critical']);
  });

  it('negative: the boundary allows neither edit to be finished (attach only, identity both) → no administrator', () => {
    const fence = doc(allow(ATTACH[kind], me, named(EVERYTHING)), allow('s3:GetObject'));
    expect(findings(world(both(EVERYTHING), fence), me, 'reaches-admin')).toEqual([]);
  });

  it('negative: an SCP denies removing and replacing the boundary → no administrator (control: the same SCP without that deny)', () => {
    const scp = (...extra: unknown[]) => ({ scps: [doc(allow('*'), ...extra)] });
    expect(findings(world(both(EVERYTHING), both(EVERYTHING), scp()), me, 'reaches-admin')).toHaveLength(1);
    const denied = world(both(EVERYTHING), both(EVERYTHING), scp(deny([DEL[kind], DEL[kind].replace('Delete', 'Put')])));
    expect(findings(denied, me, 'reaches-admin')).toEqual([]);
    expect(findings(denied, me, 'privilege-escalation').filter((x) => x.subject === BOUNDARY_TECHNIQUE)).toEqual([]);
  });

  it('negative: a harmless policy attached and the boundary removed gains nothing it did not have → no administrator, no boundary-removal finding', () => {
    const s = world(both(HARMLESS), both(HARMLESS));
    expect(findings(s, me, 'reaches-admin')).toEqual([]);
    expect(findings(s, me, 'privilege-escalation').filter((x) => x.subject === BOUNDARY_TECHNIQUE)).toEqual([]);
  });
});

describe('the attach and the removal must apply to the same principal', () => {
  // `agent` may attach `everything` to itself and remove the boundary of `other` only; both are
  // bounded by the same fence, and `other` does not trust `agent`.
  const OTHER = arn(DEV, 'role', 'other');
  const split = doc(allow('iam:AttachUserPolicy', ME.user, named(EVERYTHING)), allow('iam:DeleteRolePermissionsBoundary', OTHER), allow('s3:GetObject'));
  const spec = (otherTrusts: string): AccountSpec => ({
    policies: { everything: doc(allow('*')), fence: split },
    users: [{ name: 'agent', inline: [split], boundary: 'fence' }],
    roles: [{ name: 'other', trust: trust({ AWS: otherTrusts }), inline: [doc(allow('s3:ListBucket'))], boundary: 'fence' }],
  });

  it('negative: its own attach and another role\'s boundary → no administrator', () => {
    expect(findings(snapshot(spec(arn(DEV, 'user', 'nobody'))), ME.user, 'reaches-admin')).toEqual([]);
  });

  it('positive control: a principal that may do both to a role it can act as → administrator through that role', () => {
    const editor = doc(allow('iam:AttachRolePolicy', OTHER, named(EVERYTHING)), allow(['iam:DeleteRolePermissionsBoundary', 'sts:AssumeRole'], OTHER));
    const s = snapshot({ ...spec(arn(DEV, 'user', 'editor')), users: [{ name: 'editor', inline: [editor] }] });
    const f = findings(s, arn(DEV, 'user', 'editor'), 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('other (given everything, boundary removed)');
    // The role's boundary removed alone gives the editor nothing: only the joined hop names the removal.
    const removal = findings(s, arn(DEV, 'user', 'editor'), 'privilege-escalation').filter((x) => x.subject === BOUNDARY_TECHNIQUE);
    expect(removal.map((x) => x.severity)).toEqual(['critical']);
    expect(removal[0]!.description).toContain('other (given everything, boundary removed)');
  });
});

describe('a named policy attached to its group, joined with removing its own boundary', () => {
  const TEAM = arn(DEV, 'group', 'team');
  const grants = (policy: string, removal: boolean) => doc(allow('iam:AttachGroupPolicy', TEAM, named(policy)), ...(removal ? [allow('iam:DeleteUserPermissionsBoundary', ME.user)] : []), allow('s3:GetObject'));
  const world = (policy: string, removal: boolean): Snapshot => snapshot({
    policies: { everything: doc(allow('*')), harmless: doc(allow('s3:GetObject')), fence: grants(policy, removal) },
    groups: [{ name: 'team' }],
    users: [{ name: 'agent', groups: ['team'], inline: [grants(policy, removal)], boundary: 'fence' }],
  });

  it('positive: AttachGroupPolicy (everything) and DeleteUserPermissionsBoundary → administrator in one hop naming both', () => {
    const f = findings(world(EVERYTHING, true), ME.user, 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('iam:AttachGroupPolicy, iam:DeleteUserPermissionsBoundary');
  });

  it('negative: without the removal the boundary still caps it; a harmless policy with the removal gains nothing', () => {
    expect(findings(world(EVERYTHING, false), ME.user, 'reaches-admin')).toEqual([]);
    expect(findings(world(HARMLESS, true), ME.user, 'reaches-admin')).toEqual([]);
  });
});


describe('another default version of its own policy, joined with removing its boundary', () => {
  const MINE = arn(DEV, 'policy', 'mine');
  const own = doc(allow('iam:SetDefaultPolicyVersion', MINE), allow('iam:DeleteUserPermissionsBoundary', ME.user), allow('s3:GetObject'));
  const spec: AccountSpec = { policies: { mine: own, fence: own }, users: [{ name: 'agent', managed: ['mine'], boundary: 'fence' }] };

  it('positive: an older version allows everything → administrator through the joined state, the removal named', () => {
    const s = snapshotWithVersions(spec, { mine: [doc(allow('*'))] }, NOW);
    const f = findings(s, ME.user, 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('agent (mine at v1, boundary removed)');
    expect(findings(s, ME.user, 'privilege-escalation').filter((x) => x.subject === BOUNDARY_TECHNIQUE).map((x) => x.severity)).toEqual(['critical']);
  });

  it('negative: the older version grants nothing more → no administrator, no boundary-removal finding', () => {
    const s = snapshotWithVersions(spec, { mine: [doc(allow(['s3:GetObject']))] }, NOW);
    expect(findings(s, ME.user, 'reaches-admin')).toEqual([]);
    expect(findings(s, ME.user, 'privilege-escalation').filter((x) => x.subject === BOUNDARY_TECHNIQUE)).toEqual([]);
  });

  it('negative: the boundary does not allow the removal → no administrator (the version alone stays capped)', () => {
    const capped = snapshotWithVersions({ ...spec, policies: { mine: own, fence: doc(allow('iam:SetDefaultPolicyVersion', MINE), allow('s3:GetObject')) } }, { mine: [doc(allow('*'))] }, NOW);
    expect(findings(capped, ME.user, 'reaches-admin')).toEqual([]);
  });
});

describe('another default version of its boundary policy, joined with a rewrite of its policies (session 31 left, done)', () => {
  // Rewriting alone stays capped by the boundary; the older boundary version alone leaves its
  // identity policy as it is. Both: any policy, capped by that version.
  const FENCE = arn(DEV, 'policy', 'fence');
  const grants = (rewrite: boolean) => doc(...(rewrite ? [allow('iam:PutUserPolicy', ME.user)] : []), allow('iam:SetDefaultPolicyVersion', FENCE), allow('s3:GetObject'));
  const spec = (rewrite: boolean): AccountSpec => ({ policies: { fence: grants(rewrite) }, users: [{ name: 'agent', inline: [grants(rewrite)], boundary: 'fence' }] });

  it('positive: an older boundary version allows everything → administrator through the joined state (critical), the version technique named', () => {
    const s = snapshotWithVersions(spec(true), { fence: [doc(allow('*'))] }, NOW);
    const f = findings(s, ME.user, 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('agent (policies rewritten, boundary fence at v1)');
    expect(findings(s, ME.user, 'privilege-escalation').filter((x) => x.subject === 'iam-set-default-policy-version').map((x) => x.severity)).toEqual(['critical']);
  });

  it('positive, in two steps: the boundary allows only the version edit, the identity the rewrite too → version first, then (allowed by v1) the rewrite', () => {
    const fence = doc(allow('iam:SetDefaultPolicyVersion', FENCE), allow('s3:GetObject'));
    const s = snapshotWithVersions({ policies: { fence }, users: [{ name: 'agent', inline: [grants(true)], boundary: 'fence' }] }, { fence: [doc(allow('*'))] }, NOW);
    expect(findings(s, ME.user, 'reaches-admin').map((x) => x.severity)).toEqual(['critical']);
    // Control: v1 that does not allow the rewrite → capped.
    const capped = snapshotWithVersions({ policies: { fence }, users: [{ name: 'agent', inline: [grants(true)], boundary: 'fence' }] }, { fence: [doc(allow(['s3:*', 'iam:SetDefaultPolicyVersion']))] }, NOW);
    expect(findings(capped, ME.user, 'reaches-admin')).toEqual([]);
  });

  it('negative: the older boundary version is no wider → no administrator; without the rewrite → none either', () => {
    expect(findings(snapshotWithVersions(spec(true), { fence: [doc(allow('s3:GetObject'))] }, NOW), ME.user, 'reaches-admin')).toEqual([]);
    expect(findings(snapshotWithVersions(spec(false), { fence: [doc(allow('*'))] }, NOW), ME.user, 'reaches-admin')).toEqual([]);
  });

  it('an editor of another principal: the rewrite and the boundary version joined in one hop naming both actions', () => {
    const OTHER = arn(DEV, 'role', 'other');
    const editor = doc(allow('iam:PutRolePolicy', OTHER), allow('iam:SetDefaultPolicyVersion', FENCE), allow('sts:AssumeRole', OTHER));
    const s = snapshotWithVersions({
      policies: { fence: doc(allow('s3:GetObject')) },
      users: [{ name: 'editor', inline: [editor] }],
      roles: [{ name: 'other', trust: trust({ AWS: arn(DEV, 'user', 'editor') }), inline: [doc(allow('s3:GetObject'))], boundary: 'fence' }],
    }, { fence: [doc(allow('*'))] }, NOW);
    const f = findings(s, arn(DEV, 'user', 'editor'), 'reaches-admin');
    expect(f.map((x) => x.severity)).toEqual(['critical']);
    expect(text(f[0]!)).toContain('iam:PutRolePolicy, iam:SetDefaultPolicyVersion');
    // Control: the same editor without the rewrite reaches only the version state (capped by its identity policy).
    const noRewrite = snapshotWithVersions({
      policies: { fence: doc(allow('s3:GetObject')) },
      users: [{ name: 'editor', inline: [doc(allow('iam:SetDefaultPolicyVersion', FENCE), allow('sts:AssumeRole', OTHER))] }],
      roles: [{ name: 'other', trust: trust({ AWS: arn(DEV, 'user', 'editor') }), inline: [doc(allow('s3:GetObject'))], boundary: 'fence' }],
    }, { fence: [doc(allow('*'))] }, NOW);
    expect(findings(noRewrite, arn(DEV, 'user', 'editor'), 'reaches-admin')).toEqual([]);
  });
});
