// Small two-account worlds for graph tests: real auth-details JSON through the real normaliser.
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { AttachedPolicy } from '../../src/model/policy.js';
import { parsePolicy } from '../../src/iam/parse.js';

export const DEV = '111111111111';
export const PROD = '222222222222';
export type Doc = { Version: string; Statement: unknown[] };

export const doc = (...statements: unknown[]): Doc => ({ Version: '2012-10-17', Statement: statements });
export const allow = (action: string | string[], resource: string | string[] = '*', condition?: unknown) => ({ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) });
export const deny = (action: string | string[], resource: string | string[] = '*', condition?: unknown) => ({ Effect: 'Deny', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) });
export const ADMIN = doc(allow('*'));
export const trust = (principal: unknown, condition?: unknown) => doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) });
export const arn = (account: string, kind: 'user' | 'role' | 'group' | 'policy', name: string) => `arn:aws:iam::${account}:${kind}/${name}`;

export interface UserSpec { name: string; inline?: Doc[]; managed?: string[]; groups?: string[]; boundary?: string; tags?: Record<string, string> }
export interface RoleSpec { name: string; trust: Doc; inline?: Doc[]; managed?: string[]; boundary?: string; tags?: Record<string, string>; instanceProfile?: boolean }
export interface GroupSpec { name: string; inline?: Doc[]; managed?: string[] }
export interface AccountSpec { id?: string; users?: UserSpec[]; roles?: RoleSpec[]; groups?: GroupSpec[]; policies?: Record<string, Doc>; scps?: Doc[] }

export function exportOf(a: AccountSpec): unknown {
  const id = a.id ?? DEV;
  const tags = (t?: Record<string, string>) => Object.entries(t ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const attached = (names?: string[]) => (names ?? []).map((n) => ({ PolicyName: n, PolicyArn: n.startsWith('arn:') ? n : arn(id, 'policy', n) }));
  const boundary = (b?: string) => (b ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: b.startsWith('arn:') ? b : arn(id, 'policy', b) } } : {});
  return {
    UserDetailList: (a.users ?? []).map((u, i) => ({
      Path: '/', UserName: u.name, UserId: `AIDA${id}${i}`, Arn: arn(id, 'user', u.name), CreateDate: '2026-01-01T00:00:00Z',
      GroupList: u.groups ?? [], UserPolicyList: (u.inline ?? []).map((d, k) => ({ PolicyName: `u${k}`, PolicyDocument: d })),
      AttachedManagedPolicies: attached(u.managed), Tags: tags(u.tags), ...boundary(u.boundary),
    })),
    GroupDetailList: (a.groups ?? []).map((g, i) => ({
      Path: '/', GroupName: g.name, GroupId: `AGPA${id}${i}`, Arn: arn(id, 'group', g.name),
      GroupPolicyList: (g.inline ?? []).map((d, k) => ({ PolicyName: `g${k}`, PolicyDocument: d })), AttachedManagedPolicies: attached(g.managed),
    })),
    RoleDetailList: (a.roles ?? []).map((r, i) => ({
      Path: '/', RoleName: r.name, RoleId: `AROA${id}${i}`, Arn: arn(id, 'role', r.name), CreateDate: '2026-01-01T00:00:00Z',
      AssumeRolePolicyDocument: r.trust, RolePolicyList: (r.inline ?? []).map((d, k) => ({ PolicyName: `r${k}`, PolicyDocument: d })),
      AttachedManagedPolicies: attached(r.managed), Tags: tags(r.tags), ...boundary(r.boundary),
      InstanceProfileList: r.instanceProfile ? [{ InstanceProfileName: r.name, Arn: `arn:aws:iam::${id}:instance-profile/${r.name}` }] : [],
    })),
    Policies: Object.entries(a.policies ?? {}).map(([name, d]) => ({
      PolicyName: name.split('/').pop(), Arn: name.startsWith('arn:') ? name : arn(id, 'policy', name), Path: '/', DefaultVersionId: 'v1',
      PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: d }],
    })),
  };
}

export function snapshot(a: AccountSpec): Snapshot {
  const id = a.id ?? DEV;
  const r = normalizeAuthorizationDetails(exportOf(a), `${id}.json`);
  const scps = a.scps?.map((d, i): AttachedPolicy[] => {
    const parsed = parsePolicy(d, 'identity');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    return [{ origin: { kind: 'scp', name: `scp-${i}`, arn: `arn:aws:organizations::999999999999:policy/o-x/service_control_policy/p-${i}`, target: id }, document: parsed.document }];
  });
  return {
    account: { id }, collectedAt: '2026-12-01T00:00:00Z', principals: r.principals, managedPolicies: r.managedPolicies, groups: r.groups,
    ...(scps ? { scps } : {}),
    sources: [{ kind: 'authorization-details-file', location: `${id}.json`, status: 'ok' }], errors: r.errors,
  };
}

type PolicyJson = { Arn: string; DefaultVersionId: string; PolicyVersionList: { VersionId: string; IsDefaultVersion: boolean; Document: Doc }[] };

/** The spec's export with `older` listed as non-default versions (v1…) of the named policies, the spec's document the default. */
export function snapshotWithVersions(spec: AccountSpec, older: Record<string, Doc[]>, now: Date): Snapshot {
  const raw = exportOf(spec) as { Policies: PolicyJson[] };
  for (const p of raw.Policies) {
    const extra = older[p.Arn.slice(p.Arn.lastIndexOf('/') + 1)] ?? [];
    const def = p.PolicyVersionList[0]!.Document;
    p.DefaultVersionId = `v${extra.length + 1}`;
    p.PolicyVersionList = [...extra.map((Document, k) => ({ VersionId: `v${k + 1}`, IsDefaultVersion: false, Document })), { VersionId: p.DefaultVersionId, IsDefaultVersion: true, Document: def }];
  }
  const r = normalizeAuthorizationDetails(raw, 'test.json');
  if (r.errors.length > 0) throw new Error(`the versions export did not read cleanly: ${JSON.stringify(r.errors)}`);
  return { account: { id: spec.id ?? DEV }, collectedAt: now.toISOString(), principals: r.principals, managedPolicies: r.managedPolicies, groups: r.groups, sources: [{ kind: 'authorization-details-file', location: 'test.json', status: 'ok' }], errors: [] };
}
