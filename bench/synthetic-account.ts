// A generator of synthetic accounts in the real `get-account-authorization-details` shape:
// N principals mixing real AWS managed policies (from ../shared/fixtures, when present) with
// random custom policies over real catalog actions. Deterministic for a given seed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '../src/iam/catalog.js';

export const BENCH_ACCOUNT = '123456789012';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ManagedPolicyFixture { arn: string | null; document: unknown; version: string }

export function loadAwsManagedPolicies(sharedFixtures: string): Record<string, ManagedPolicyFixture> {
  const file = join(sharedFixtures, 'aws-managed-policies/aws-managed-policies.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, ManagedPolicyFixture>) : {};
}

export function syntheticAccount(principals: number, managed: Record<string, ManagedPolicyFixture>, seed = 42): unknown {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const actions = catalog().actions;
  const services = catalog().services;
  const managedNames = Object.keys(managed).filter((n) => managed[n]!.arn);
  const customPolicy = () => {
    const statements = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const kind = r();
      const action = kind < 0.15 ? [`${pick(services)}:*`] : kind < 0.3 ? [`${pick(services)}:Get*`, `${pick(services)}:List*`] : Array.from({ length: 1 + Math.floor(r() * 12) }, () => pick(actions).key);
      const st: Record<string, unknown> = { Effect: r() < 0.9 ? 'Allow' : 'Deny', Action: action, Resource: r() < 0.6 ? '*' : [`arn:aws:s3:::bucket-${Math.floor(r() * 50)}/*`, `arn:aws:dynamodb:us-east-1:${BENCH_ACCOUNT}:table/t${Math.floor(r() * 50)}`] };
      if (r() < 0.15) st.Condition = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
      statements.push(st);
    }
    return { Version: '2012-10-17', Statement: statements };
  };
  const used = new Set<string>();
  const attach = () => {
    const out = [];
    const n = managedNames.length === 0 ? 0 : Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const name = pick(managedNames);
      used.add(name);
      out.push({ PolicyName: name, PolicyArn: managed[name]!.arn });
    }
    return out;
  };
  const groups = Array.from({ length: Math.max(1, Math.floor(principals / 50)) }, (_, i) => ({
    Path: '/', GroupName: `group-${i}`, GroupId: `AGPA${i}`, Arn: `arn:aws:iam::${BENCH_ACCOUNT}:group/group-${i}`,
    GroupPolicyList: r() < 0.5 ? [{ PolicyName: 'g', PolicyDocument: customPolicy() }] : [], AttachedManagedPolicies: attach(),
  }));
  const roles: Record<string, unknown>[] = [], users = [];
  // Roles trust each other (chains for the access graph), the account, anyone, or a service.
  const trustPrincipal = (earlier: readonly Record<string, unknown>[]): Record<string, string> => {
    const k = r();
    if (k < 0.05) return { AWS: '*' };
    if (k < 0.1) return { AWS: `arn:aws:iam::${BENCH_ACCOUNT}:root` };
    if (k < 0.25 && earlier.length > 0) return { AWS: String(pick(earlier).Arn) };
    return { Service: pick(['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com']) };
  };
  const names = ['app', 'svc', 'batch', 'kiro-agent', 'mcp-server', 'deploy', 'etl', 'claude-agent'];
  for (let i = 0; i < principals; i++) {
    const base = `${pick(names)}-${i}`;
    if (r() < 0.8) {
      roles.push({
        Path: '/', RoleName: base, RoleId: `AROA${i}`, Arn: `arn:aws:iam::${BENCH_ACCOUNT}:role/${base}`, CreateDate: '2026-01-01T00:00:00Z',
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: trustPrincipal(roles), Action: 'sts:AssumeRole' }] },
        InstanceProfileList: r() < 0.05 ? [{ InstanceProfileName: base, Arn: `arn:aws:iam::${BENCH_ACCOUNT}:instance-profile/${base}` }] : [], RolePolicyList: Array.from({ length: Math.floor(r() * 3) }, (_, k) => ({ PolicyName: `p${k}`, PolicyDocument: customPolicy() })),
        AttachedManagedPolicies: attach(), Tags: [], RoleLastUsed: r() < 0.3 ? {} : { LastUsedDate: '2026-11-01T00:00:00Z', Region: 'us-east-1' },
      });
    } else {
      users.push({
        Path: '/', UserName: base, UserId: `AIDA${i}`, Arn: `arn:aws:iam::${BENCH_ACCOUNT}:user/${base}`, CreateDate: '2026-01-01T00:00:00Z',
        GroupList: [pick(groups).GroupName], UserPolicyList: r() < 0.5 ? [{ PolicyName: 'u', PolicyDocument: customPolicy() }] : [], AttachedManagedPolicies: attach(), Tags: [],
      });
    }
  }
  const policies = [...used].map((name) => ({
    PolicyName: name, Arn: managed[name]!.arn, Path: '/', DefaultVersionId: managed[name]!.version,
    PolicyVersionList: [{ Document: managed[name]!.document, VersionId: managed[name]!.version, IsDefaultVersion: true }],
  }));
  return { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies: policies };
}
