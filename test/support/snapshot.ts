// Build small, real-shaped snapshots for tests: the same auth-details JSON an export holds,
// run through the real normaliser.
import { normalizeAuthorizationDetails } from '../../src/collect/iam/authorization-details-file.js';
import type { Snapshot } from '../../src/model/snapshot.js';

export const ACCOUNT = '111122223333';

type Doc = { Version?: string; Statement: unknown };
export interface RoleSpec {
  name: string;
  path?: string;
  trust?: Doc;
  inline?: Doc[];
  managed?: string[];
  boundary?: string;
  tags?: Record<string, string>;
  maxSessionDuration?: number;
  lastUsed?: string | null;
  createDate?: string;
  /** Instance profiles carrying the role (EC2 takes a role only through one). */
  instanceProfiles?: string[];
}

export function doc(...statements: unknown[]): Doc {
  return { Version: '2012-10-17', Statement: statements };
}

export const assumableByAccount = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' });

export function authDetails(roles: RoleSpec[], policies: Record<string, Doc> = {}): unknown {
  return {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: roles.map((r) => ({
      Path: r.path ?? '/', RoleName: r.name, RoleId: `AROA${r.name.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 12)}`,
      Arn: `arn:aws:iam::${ACCOUNT}:role${r.path ?? '/'}${r.name}`, CreateDate: r.createDate ?? '2026-01-01T00:00:00Z',
      AssumeRolePolicyDocument: r.trust ?? assumableByAccount,
      RolePolicyList: (r.inline ?? []).map((d, i) => ({ PolicyName: `inline-${i}`, PolicyDocument: d })),
      AttachedManagedPolicies: (r.managed ?? []).map((n) => ({ PolicyName: n, PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/${n}` })),
      Tags: Object.entries(r.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      ...(r.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/${r.boundary}` } } : {}),
      ...(r.maxSessionDuration ? { MaxSessionDuration: r.maxSessionDuration } : {}),
      InstanceProfileList: (r.instanceProfiles ?? []).map((ip) => ({
        Path: '/', InstanceProfileName: ip, InstanceProfileId: `AIPA${ip.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 12)}`, Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${ip}`, CreateDate: '2026-01-01T00:00:00Z', Roles: [],
      })),
      ...(r.lastUsed === undefined ? {} : { RoleLastUsed: r.lastUsed === null ? {} : { LastUsedDate: r.lastUsed, Region: 'us-east-1' } }),
    })),
    Policies: Object.entries(policies).map(([name, d]) => ({
      PolicyName: name, Arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, DefaultVersionId: 'v1',
      PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: d }],
    })),
  };
}

export function snapshotOf(roles: RoleSpec[], policies: Record<string, Doc> = {}, extra: Partial<Snapshot> = {}): Snapshot {
  const r = normalizeAuthorizationDetails(authDetails(roles, policies), 'test.json');
  return {
    account: { id: ACCOUNT }, collectedAt: '2026-11-24T00:00:00Z', principals: r.principals, managedPolicies: r.managedPolicies,
    sources: [{ kind: 'authorization-details-file', location: 'test.json', status: 'ok' }], errors: r.errors, ...extra,
  };
}
