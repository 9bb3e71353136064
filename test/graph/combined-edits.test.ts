// Audit (session 29): a principal held by a permissions boundary that may both rewrite its
// identity policies and remove (or replace) its boundary was never given the state with both
// edits done, so its path to administrator was missed. IAM: the effective permissions of a
// bounded principal are its identity policies ∩ its boundary
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html); with the
// boundary gone and the policies rewritten, only SCPs are left.
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, defaultConfig } from '../../src/pipeline/scan.js';
import { DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec, type Doc } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const opts = { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false };

function reachesAdmin(spec: AccountSpec, principal: string) {
  const [a] = analyzeSnapshots([snapshot(spec)], defaultConfig(), opts);
  return a!.report.findings.filter((f) => f.principalArn === principal && f.checkId === 'reaches-admin');
}
const hops = (f: { evidence: readonly { kind: string; value?: string }[] }) => f.evidence.map((e) => (e.kind === 'attribute' ? e.value : '')).join('\n');

const ROLE = arn(DEV, 'role', 'agent');
const USER = arn(DEV, 'user', 'agent');
const OTHER = arn(DEV, 'role', 'other');

/** A bounded role `agent` whose identity policy is `identity` and whose boundary is `boundary`. */
const bounded = (kind: 'role' | 'user', identity: Doc, boundary: Doc, more: Partial<AccountSpec> = {}): AccountSpec => ({
  policies: { fence: boundary },
  ...(kind === 'role'
    ? { roles: [{ name: 'agent', trust: trust({ Service: 'ec2.amazonaws.com' }), inline: [identity], boundary: 'fence' }, ...(more.roles ?? [])] }
    : { users: [{ name: 'agent', inline: [identity], boundary: 'fence' }], roles: more.roles ?? [] }),
  ...(more.scps ? { scps: more.scps } : {}),
});

const self = { role: ROLE, user: USER } as const;
const put = { role: 'iam:PutRolePolicy', user: 'iam:PutUserPolicy' } as const;
const del = { role: 'iam:DeleteRolePermissionsBoundary', user: 'iam:DeleteUserPermissionsBoundary' } as const;
const replace = { role: 'iam:PutRolePermissionsBoundary', user: 'iam:PutUserPermissionsBoundary' } as const;

describe.each(['role', 'user'] as const)('a bounded %s that may edit its own policies and its boundary', (kind) => {
  const me = self[kind];
  const both = doc(allow([put[kind], del[kind]], me), allow('s3:GetObject'));

  it('positive: rewrites its policy and removes its boundary → administrator (in one hop, naming both actions)', () => {
    const f = reachesAdmin(bounded(kind, both, both), me);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('critical');
    expect(hops(f[0]!)).toContain(`${put[kind]}, ${del[kind]}`);
  });

  it('positive: replacing the boundary (Put…PermissionsBoundary) counts as removing it', () => {
    const p = doc(allow([put[kind], replace[kind]], me), allow('s3:GetObject'));
    expect(reachesAdmin(bounded(kind, p, p), me)).toHaveLength(1);
  });

  it('positive, in two steps: its identity allows only the policy edit, the boundary both → it grants itself the removal, then removes', () => {
    expect(reachesAdmin(bounded(kind, doc(allow(put[kind], me), allow('s3:GetObject')), both), me)).toHaveLength(1);
  });

  it('positive, in two steps: the boundary allows only the removal, the identity both → once unbounded it rewrites its policy', () => {
    expect(reachesAdmin(bounded(kind, both, doc(allow(del[kind], me), allow('s3:GetObject'))), me)).toHaveLength(1);
  });

  it('negative: the boundary allows the policy edit only (identity allows both) → no administrator', () => {
    expect(reachesAdmin(bounded(kind, both, doc(allow(put[kind], me), allow('s3:GetObject'))), me)).toEqual([]);
  });

  it('negative: its identity allows only the boundary removal (the boundary allows both) → no administrator', () => {
    expect(reachesAdmin(bounded(kind, doc(allow(del[kind], me), allow('s3:GetObject')), both), me)).toEqual([]);
  });

  it('negative: an SCP denies removing and replacing the boundary → no administrator (control: the same SCP without that deny)', () => {
    const scp = (...extra: unknown[]) => [doc(allow('*'), ...extra)];
    expect(reachesAdmin(bounded(kind, both, both, { scps: scp() }), me)).toHaveLength(1);
    expect(reachesAdmin(bounded(kind, both, both, { scps: scp(deny([del[kind], replace[kind]])) }), me)).toEqual([]);
  });
});

describe('the two edits must apply to the same principal', () => {
  // `agent` may rewrite its own policy, and remove the boundary of `other` only (both grants
  // held by its boundary too). It cannot act as `other` unless `other` trusts it.
  const split = doc(allow('iam:PutRolePolicy', ROLE), allow('iam:DeleteRolePermissionsBoundary', OTHER), allow('s3:GetObject'));
  const other = (trusts: string) => ({ name: 'other', trust: trust({ AWS: trusts }), inline: [doc(allow('s3:ListBucket'))], boundary: 'fence' });

  it('negative: its own policies and another role\'s boundary → no administrator', () => {
    expect(reachesAdmin(bounded('role', split, split, { roles: [other(arn(DEV, 'user', 'nobody'))] }), ROLE)).toEqual([]);
  });

  it('negative: even when it may act as the other role, whose policies it cannot rewrite', () => {
    expect(reachesAdmin(bounded('role', doc(allow('sts:AssumeRole', OTHER), ...split.Statement), doc(allow('sts:AssumeRole', OTHER), ...split.Statement), { roles: [other(ROLE)] }), ROLE)).toEqual([]);
  });

  it('positive: another principal that may do both to a role it can act as → administrator through that role', () => {
    const editor = doc(allow(['iam:PutRolePolicy', 'iam:DeleteRolePermissionsBoundary', 'sts:AssumeRole'], OTHER));
    const spec: AccountSpec = { policies: { fence: doc(allow('s3:ListBucket')) }, users: [{ name: 'editor', inline: [editor] }], roles: [other(arn(DEV, 'user', 'editor'))] };
    const f = reachesAdmin(spec, arn(DEV, 'user', 'editor'));
    expect(f).toHaveLength(1);
    expect(hops(f[0]!)).toContain('iam:PutRolePolicy, iam:DeleteRolePermissionsBoundary');
    // Control: the editor may rewrite the role's policies only; the boundary still holds it.
    const onlyPut = doc(allow(['iam:PutRolePolicy', 'sts:AssumeRole'], OTHER));
    expect(reachesAdmin({ ...spec, users: [{ name: 'editor', inline: [onlyPut] }] }, arn(DEV, 'user', 'editor'))).toEqual([]);
  });

  it('positive: one edits, the other finishes — the editor rewrites the role\'s policies, and the role (now allowed by them) removes its own boundary', () => {
    const editor = doc(allow(['iam:PutRolePolicy', 'sts:AssumeRole'], OTHER));
    const fence = (selfEdit: boolean) => doc(allow('s3:ListBucket'), ...(selfEdit ? [allow('iam:DeleteRolePermissionsBoundary', OTHER)] : []));
    const spec = (selfEdit: boolean): AccountSpec => ({ policies: { fence: fence(selfEdit) }, users: [{ name: 'editor', inline: [editor] }], roles: [other(arn(DEV, 'user', 'editor'))] });
    expect(reachesAdmin(spec(true), arn(DEV, 'user', 'editor'))).toHaveLength(1);
    // Control: its boundary does not let it remove itself.
    expect(reachesAdmin(spec(false), arn(DEV, 'user', 'editor'))).toEqual([]);
  });
});

describe('a new version of its own policy, then of its boundary (both customer-managed)', () => {
  // Found by this fix in the catalogue's iam-001 "capped" negative, which was not one: once its
  // own policy allows everything, a boundary that allows iam:CreatePolicyVersion on every policy
  // lets it rewrite the boundary as well. AWS's delegation example denies edits of the boundary
  // policy for this reason (DenyPermBoundaryIAMPolicyAlteration,
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
  const spec = (boundaryOn: string): AccountSpec => ({
    policies: { mine: doc(allow('iam:CreatePolicyVersion', arn(DEV, 'policy', 'mine'))), fence: doc(allow('iam:CreatePolicyVersion', boundaryOn), allow('s3:GetObject')) },
    users: [{ name: 'agent', managed: ['mine'], boundary: 'fence' }],
  });

  it('positive: the boundary allows versioning every policy → administrator', () => {
    expect(reachesAdmin(spec('*'), USER)).toHaveLength(1);
  });

  it('negative: the boundary allows versioning its own identity policy only → no administrator', () => {
    expect(reachesAdmin(spec(arn(DEV, 'policy', 'mine')), USER)).toEqual([]);
  });
});

describe('a group policy edit counts as rewriting a member\'s policies', () => {
  const edits = (removal: boolean) => doc(allow('iam:PutGroupPolicy', arn(DEV, 'group', 'team')), ...(removal ? [allow('iam:DeleteUserPermissionsBoundary', USER)] : []), allow('s3:GetObject'));
  const spec = (removal: boolean): AccountSpec => ({ policies: { fence: edits(removal) }, groups: [{ name: 'team' }], users: [{ name: 'agent', groups: ['team'], inline: [edits(removal)], boundary: 'fence' }] });

  it('positive: PutGroupPolicy on its group and DeleteUserPermissionsBoundary on itself → administrator in one hop', () => {
    const f = reachesAdmin(spec(true), USER);
    expect(f).toHaveLength(1);
    expect(hops(f[0]!)).toContain('iam:PutGroupPolicy, iam:DeleteUserPermissionsBoundary');
  });

  it('negative: the group edit alone → no administrator (its boundary still holds it)', () => {
    expect(reachesAdmin(spec(false), USER)).toEqual([]);
  });
});
