// A small typed builder for `aws iam get-account-authorization-details` exports: the same JSON
// shape the AWS CLI writes (policy documents as objects) and src/collect/iam/authorization-details-file.ts
// reads. Tests build one account's export programmatically instead of checking in large JSON files.
// Real AWS managed policy documents come from ../shared/fixtures (read in place, never copied).
import { readFileSync } from 'node:fs';
import { sharedFixture, sharedFixturesPresent } from './fixtures.js';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export interface PolicyJson { Version: '2012-10-17'; Statement: StatementJson[] }
export interface StatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: '*' | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export const policy = (...Statement: StatementJson[]): PolicyJson => ({ Version: '2012-10-17', Statement });
export const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: StatementJson['Condition']): StatementJson =>
  ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
export const deny = (Action: string | string[], Resource: string | string[] = '*', Condition?: StatementJson['Condition']): StatementJson =>
  ({ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });
/** Trust policy statement: `who` is a service principal (`*.amazonaws.com`) or an AWS principal ARN. */
export const trustStatement = (who: string | string[], Condition?: StatementJson['Condition']): StatementJson => {
  const list = Array.isArray(who) ? who : [who];
  const services = list.filter((w) => w.endsWith('.amazonaws.com'));
  const aws = list.filter((w) => !w.endsWith('.amazonaws.com'));
  const one = (xs: string[]) => (xs.length === 1 ? xs[0]! : xs);
  return {
    Effect: 'Allow',
    Principal: { ...(aws.length ? { AWS: one(aws) } : {}), ...(services.length ? { Service: one(services) } : {}) },
    Action: 'sts:AssumeRole',
    ...(Condition ? { Condition } : {}),
  };
};
export const trust = (...who: string[]): PolicyJson => policy(trustStatement(who));

/** An Allow anything (the "inline `*:*`" administrator). */
export const adminInline = (): PolicyJson => policy(allow('*', '*'));

// ---- AWS managed policies, from the shared fixture --------------------------------------------

interface ManagedFixtureEntry { arn: string | null; version: string; document: PolicyJson }
let managedCache: Record<string, ManagedFixtureEntry> | undefined;
/** The real default-version document of an AWS managed policy (needs ../shared/fixtures). */
export function awsManagedPolicy(name: string): { arn: string; name: string; path: string; version: string; document: PolicyJson } {
  if (!sharedFixturesPresent) throw new Error(`AWS managed policy ${name}: shared fixtures are absent`);
  managedCache ??= JSON.parse(readFileSync(sharedFixture('aws-managed-policies/aws-managed-policies.json'), 'utf8')) as Record<string, ManagedFixtureEntry>;
  const e = managedCache[name];
  if (!e || !e.arn) throw new Error(`AWS managed policy ${name} is not in the shared fixture`);
  const path = e.arn.slice('arn:aws:iam::aws:policy'.length, e.arn.length - name.length);
  return { arn: e.arn, name, path, version: e.version, document: e.document };
}

// ---- The builder ------------------------------------------------------------------------------

export interface PrincipalOptions {
  path?: string;
  inline?: Record<string, PolicyJson>;
  /** Managed policy ARNs, or AWS managed policy names (resolved from the shared fixture). */
  managed?: string[];
  /** Managed policy ARN or AWS managed name used as permissions boundary. */
  boundary?: string;
  tags?: Record<string, string>;
}
export interface UserOptions extends PrincipalOptions {
  groups?: string[];
  /** Evidence that the user has a console password (a login profile); the export cannot show it directly. */
  passwordLastUsed?: string;
}
export interface RoleOptions extends PrincipalOptions {
  trust: PolicyJson;
  /** Instance profile names carrying this role. */
  instanceProfiles?: string[];
}
export interface GroupOptions {
  path?: string;
  inline?: Record<string, PolicyJson>;
  managed?: string[];
}

const CREATED = '2025-01-01T00:00:00Z';
const idOf = (prefix: string, name: string) => `${prefix}${name.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, 'X').slice(0, 17)}`;

/**
 * One account's authorization details. Managed policies named by AWS name are added to
 * `Policies` with their real document; customer-managed ones are declared with `customerPolicy`.
 */
export class IamExportBuilder {
  readonly users: Record<string, Json>[] = [];
  readonly groups: Record<string, Json>[] = [];
  readonly roles: Record<string, Json>[] = [];
  private readonly policies = new Map<string, Record<string, Json>>();
  private readonly attachments = new Map<string, number>();

  constructor(readonly account = '111111111111') {}

  userArn(name: string, path = '/'): string { return `arn:aws:iam::${this.account}:user${path}${name}`; }
  roleArn(name: string, path = '/'): string { return `arn:aws:iam::${this.account}:role${path}${name}`; }
  groupArn(name: string, path = '/'): string { return `arn:aws:iam::${this.account}:group${path}${name}`; }
  policyArn(name: string, path = '/'): string { return `arn:aws:iam::${this.account}:policy${path}${name}`; }
  get root(): string { return `arn:aws:iam::${this.account}:root`; }

  /** A customer-managed policy; `versions` > 1 adds older non-default versions (same document). */
  customerPolicy(name: string, document: PolicyJson, opts: { path?: string; versions?: PolicyJson[] } = {}): string {
    const arn = this.policyArn(name, opts.path ?? '/');
    const older = opts.versions ?? [];
    const list = [...older.map((d, i) => ({ Document: d as unknown as Json, VersionId: `v${i + 1}`, IsDefaultVersion: false, CreateDate: CREATED })),
      { Document: document as unknown as Json, VersionId: `v${older.length + 1}`, IsDefaultVersion: true, CreateDate: CREATED }];
    this.policies.set(arn, {
      PolicyName: name, PolicyId: idOf('ANPA', name), Arn: arn, Path: opts.path ?? '/', DefaultVersionId: `v${older.length + 1}`,
      AttachmentCount: 0, PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: CREATED, UpdateDate: CREATED,
      PolicyVersionList: list,
    });
    return arn;
  }

  private resolveManaged(ref: string): string {
    if (ref.startsWith('arn:')) {
      if (!this.policies.has(ref)) throw new Error(`managed policy ${ref} was not declared with customerPolicy()`);
      return ref;
    }
    const m = awsManagedPolicy(ref);
    if (!this.policies.has(m.arn)) {
      this.policies.set(m.arn, {
        PolicyName: m.name, PolicyId: idOf('ANPA', m.name), Arn: m.arn, Path: m.path, DefaultVersionId: m.version,
        AttachmentCount: 0, PermissionsBoundaryUsageCount: 0, IsAttachable: true, CreateDate: CREATED, UpdateDate: CREATED,
        PolicyVersionList: [{ Document: m.document as unknown as Json, VersionId: m.version, IsDefaultVersion: true, CreateDate: CREATED }],
      });
    }
    return m.arn;
  }
  private attach(refs: string[] | undefined): Json[] {
    return (refs ?? []).map((ref) => {
      const arn = this.resolveManaged(ref);
      this.attachments.set(arn, (this.attachments.get(arn) ?? 0) + 1);
      return { PolicyName: String(this.policies.get(arn)!.PolicyName), PolicyArn: arn };
    });
  }
  private readonly boundaryUses = new Map<string, number>();
  private boundaryOf(ref: string | undefined): Record<string, Json> {
    if (!ref) return {};
    const arn = this.resolveManaged(ref);
    this.boundaryUses.set(arn, (this.boundaryUses.get(arn) ?? 0) + 1);
    return { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn } };
  }
  private inlineList(inline: Record<string, PolicyJson> | undefined, key: 'UserPolicyList' | 'RolePolicyList' | 'GroupPolicyList'): Record<string, Json> {
    return { [key]: Object.entries(inline ?? {}).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: d as unknown as Json })) };
  }
  private tagList(tags: Record<string, string> | undefined): Json[] {
    return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  }

  user(name: string, opts: UserOptions = {}): string {
    const path = opts.path ?? '/';
    const arn = this.userArn(name, path);
    this.users.push({
      Path: path, UserName: name, UserId: idOf('AIDA', name), Arn: arn, CreateDate: CREATED,
      GroupList: opts.groups ?? [], AttachedManagedPolicies: this.attach(opts.managed), ...this.inlineList(opts.inline, 'UserPolicyList'),
      Tags: this.tagList(opts.tags), ...this.boundaryOf(opts.boundary),
      ...(opts.passwordLastUsed ? { PasswordLastUsed: opts.passwordLastUsed } : {}),
    });
    return arn;
  }

  role(name: string, opts: RoleOptions): string {
    const path = opts.path ?? '/';
    const arn = this.roleArn(name, path);
    this.roles.push({
      Path: path, RoleName: name, RoleId: idOf('AROA', name), Arn: arn, CreateDate: CREATED,
      AssumeRolePolicyDocument: opts.trust as unknown as Json,
      InstanceProfileList: (opts.instanceProfiles ?? []).map((ip) => ({
        Path: '/', InstanceProfileName: ip, InstanceProfileId: idOf('AIPA', ip), Arn: `arn:aws:iam::${this.account}:instance-profile/${ip}`, CreateDate: CREATED,
        Roles: [{ Path: path, RoleName: name, RoleId: idOf('AROA', name), Arn: arn, CreateDate: CREATED, AssumeRolePolicyDocument: opts.trust as unknown as Json }],
      })),
      ...this.inlineList(opts.inline, 'RolePolicyList'), AttachedManagedPolicies: this.attach(opts.managed),
      Tags: this.tagList(opts.tags), ...this.boundaryOf(opts.boundary), RoleLastUsed: {},
    });
    return arn;
  }

  group(name: string, opts: GroupOptions = {}): string {
    const path = opts.path ?? '/';
    const arn = this.groupArn(name, path);
    this.groups.push({
      Path: path, GroupName: name, GroupId: idOf('AGPA', name), Arn: arn, CreateDate: CREATED,
      ...this.inlineList(opts.inline, 'GroupPolicyList'), AttachedManagedPolicies: this.attach(opts.managed),
    });
    return arn;
  }

  /** The export, as `aws iam get-account-authorization-details` prints it. */
  build(): AuthorizationDetailsJson {
    const Policies = [...this.policies.values()].map((p) => ({ ...p, AttachmentCount: this.attachments.get(String(p.Arn)) ?? 0, PermissionsBoundaryUsageCount: this.boundaryUses.get(String(p.Arn)) ?? 0 }));
    return structuredClone({ UserDetailList: this.users, GroupDetailList: this.groups, RoleDetailList: this.roles, Policies, IsTruncated: false }) as AuthorizationDetailsJson;
  }
}

export interface AuthorizationDetailsJson {
  UserDetailList: Record<string, Json>[];
  GroupDetailList: Record<string, Json>[];
  RoleDetailList: Record<string, Json>[];
  Policies: Record<string, Json>[];
  IsTruncated: false;
}
