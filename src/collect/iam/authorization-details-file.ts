// `aws iam get-account-authorization-details` (or the same data collected live) → Snapshot parts.
// The AWS CLI decodes policy documents into objects; the raw API returns them URL-encoded.
// Both are accepted. Structural problems are InputErrors (exit 2); a single malformed policy
// document is a ScanError naming its JSON path, and the principal is marked as not fully known.
import { z } from 'zod';
import type { AttachedPolicy, PolicyDocument } from '../../model/policy.js';
import type { Group, ManagedPolicyInfo, PolicyVersionInfo, Principal, Role, User } from '../../model/snapshot.js';
import { READ_LIMITS, readRegularFileSync } from '../../safe/read.js';
import { InputError, type ScanError, jsonPath } from '../../model/errors.js';
import { parsePolicy } from '../../iam/parse.js';
import { issueExpected, issueGot } from '../../config/zod-issue.js';

/** One empty list for every policy with only its default version (most of them). */
const NO_VERSIONS: readonly PolicyVersionInfo[] = Object.freeze([]);

/**
 * Bytes → text, as editors and shells write JSON: a UTF-8 BOM (Notepad, `Out-File -Encoding utf8`)
 * is dropped, and UTF-16 with a BOM (Windows PowerShell 5 `aws … > file.json`) is decoded.
 */
export function decodeText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const le = Buffer.from(buf.subarray(2));
    le.swap16();
    return le.toString('utf16le');
  }
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const date = z.union([z.string(), z.date().transform((d) => d.toISOString())]).optional();
const tags = z.array(z.object({ Key: z.string(), Value: z.string().default('') })).optional();
const inlinePolicy = z.object({ PolicyName: z.string(), PolicyDocument: z.unknown() });
const attached = z.object({ PolicyName: z.string().optional(), PolicyArn: z.string() });
const boundary = z.object({ PermissionsBoundaryType: z.string().optional(), PermissionsBoundaryArn: z.string() }).optional();

const userDetail = z.object({
  Path: z.string().default('/'), UserName: z.string(), UserId: z.string().default(''), Arn: z.string(), CreateDate: date,
  GroupList: z.array(z.string()).default([]), AttachedManagedPolicies: z.array(attached).default([]),
  UserPolicyList: z.array(inlinePolicy).default([]), Tags: tags, PermissionsBoundary: boundary,
  PasswordLastUsed: date,
});
const groupDetail = z.object({
  Path: z.string().default('/'), GroupName: z.string(), GroupId: z.string().default(''), Arn: z.string(), CreateDate: date,
  GroupPolicyList: z.array(inlinePolicy).default([]), AttachedManagedPolicies: z.array(attached).default([]),
});
const roleDetail = z.object({
  Path: z.string().default('/'), RoleName: z.string(), RoleId: z.string().default(''), Arn: z.string(), CreateDate: date,
  AssumeRolePolicyDocument: z.unknown(), InstanceProfileList: z.array(z.object({ InstanceProfileName: z.string().optional(), Arn: z.string().optional() }).passthrough()).default([]),
  RolePolicyList: z.array(inlinePolicy).default([]), AttachedManagedPolicies: z.array(attached).default([]),
  Tags: tags, PermissionsBoundary: boundary,
  RoleLastUsed: z.object({ LastUsedDate: date, Region: z.string().optional() }).optional(),
  // Not part of GetAccountAuthorizationDetails; filled from ListRoles by the live collector or present in hand-made exports.
  MaxSessionDuration: z.number().int().positive().optional(),
});
const policyDetail = z.object({
  PolicyName: z.string(), PolicyId: z.string().optional(), Arn: z.string(), Path: z.string().default('/'),
  DefaultVersionId: z.string().optional(), AttachmentCount: z.number().optional(),
  PolicyVersionList: z.array(z.object({ Document: z.unknown(), VersionId: z.string().optional(), IsDefaultVersion: z.boolean().optional() })).default([]),
});
const authorizationDetails = z.object({
  UserDetailList: z.array(userDetail).default([]),
  GroupDetailList: z.array(groupDetail).default([]),
  RoleDetailList: z.array(roleDetail).default([]),
  Policies: z.array(policyDetail).default([]),
});

/** One account named by ARNs in the export: how many, and the first one with its JSON path. */
export interface AccountSighting {
  readonly id: string;
  readonly count: number;
  readonly example: { readonly arn: string; readonly path: string };
}

export interface AuthorizationDetailsResult {
  /** The account the ARNs name (the most-named one if they disagree); absent when none names one. */
  readonly accountId?: string;
  /** Every account named by an ARN of the export's own entities, most-named first. */
  readonly accounts: readonly AccountSighting[];
  readonly principals: Principal[];
  readonly managedPolicies: ManagedPolicyInfo[];
  readonly groups: Group[];
  readonly errors: ScanError[];
  readonly counts: Record<string, number>;
}


/** Read a file and return its parsed JSON, or throw InputError with the line and column. */
export function readJsonFile(file: string): unknown {
  let text: string;
  // Bounded and regular-only (a FIFO or /dev/zero given as --input fails at once, naming the file).
  text = decodeText(readRegularFileSync(file, READ_LIMITS.authorizationDetails, 'an authorization-details JSON file'));
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    // "Unexpected end of JSON input" carries no position: the problem is at the end.
    if (m || /end of JSON input/.test(msg)) {
      const pos = m ? Number(m[1]) : text.length;
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      throw new InputError(file, `line ${line}, column ${col}`, 'valid JSON', (e as Error).message);
    }
    throw new InputError(file, '', 'valid JSON', (e as Error).message);
  }
}

// AWS-managed policies (`arn:aws:iam::aws:policy/…`) name no account, so they never match.
const accountOf = (arn: string): string | undefined => /^arn:aws[\w-]*:iam::(\d{12}):/.exec(arn)?.[1];

type AuthorizationDetailsData = z.infer<typeof authorizationDetails>;

/**
 * Which account the export belongs to, from the ARNs of its own entities: users, groups, roles,
 * customer-managed policies, instance profiles, attached policies and boundaries. Never from
 * policy documents: a trust policy naming another account says nothing about whose export it is.
 */
export function accountSightings(data: AuthorizationDetailsData): AccountSighting[] {
  const seen = new Map<string, { count: number; example: { arn: string; path: string } }>();
  const see = (arn: string | undefined, path: string) => {
    const id = arn === undefined ? undefined : accountOf(arn);
    if (id === undefined) return;
    const s = seen.get(id);
    if (s) s.count++;
    else seen.set(id, { count: 1, example: { arn: arn!, path } });
  };
  const seeAttached = (list: readonly { PolicyArn: string }[], base: string) => list.forEach((a, i) => see(a.PolicyArn, `${base}.AttachedManagedPolicies[${i}].PolicyArn`));
  data.UserDetailList.forEach((u, i) => {
    const base = `$.UserDetailList[${i}]`;
    see(u.Arn, `${base}.Arn`);
    seeAttached(u.AttachedManagedPolicies, base);
    see(u.PermissionsBoundary?.PermissionsBoundaryArn, `${base}.PermissionsBoundary.PermissionsBoundaryArn`);
  });
  data.RoleDetailList.forEach((r, i) => {
    const base = `$.RoleDetailList[${i}]`;
    see(r.Arn, `${base}.Arn`);
    seeAttached(r.AttachedManagedPolicies, base);
    see(r.PermissionsBoundary?.PermissionsBoundaryArn, `${base}.PermissionsBoundary.PermissionsBoundaryArn`);
    r.InstanceProfileList.forEach((ip, j) => see(ip.Arn, `${base}.InstanceProfileList[${j}].Arn`));
  });
  data.GroupDetailList.forEach((g, i) => {
    const base = `$.GroupDetailList[${i}]`;
    see(g.Arn, `${base}.Arn`);
    seeAttached(g.AttachedManagedPolicies, base);
  });
  data.Policies.forEach((p, i) => see(p.Arn, `$.Policies[${i}].Arn`));
  // Stable: ties keep the order of first sighting (principals before policies).
  return [...seen].map(([id, s]) => ({ id, ...s })).sort((a, b) => b.count - a.count);
}
const isAwsManaged = (arn: string) => /^arn:aws[\w-]*:iam::aws:policy\//.test(arn);

export function normalizeAuthorizationDetails(raw: unknown, file: string): AuthorizationDetailsResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(file, '$', 'the output of `aws iam get-account-authorization-details` (an object with RoleDetailList, UserDetailList, …)', Array.isArray(raw) ? 'an array' : typeof raw);
  }
  const keys = Object.keys(raw);
  if (!keys.some((k) => ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'].includes(k))) {
    throw new InputError(file, '$', 'at least one of UserDetailList, GroupDetailList, RoleDetailList, Policies', `keys ${keys.slice(0, 5).join(', ') || '(none)'}`);
  }
  const parsed = authorizationDetails.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(file, jsonPath(issue.path), issueExpected(issue), issueGot(raw, issue));
  }
  const data = parsed.data;
  const errors: ScanError[] = [];
  const parseDoc = (doc: unknown, kind: 'identity' | 'trust', path: string): PolicyDocument | undefined => {
    const r = parsePolicy(doc, kind, path);
    if (r.ok) return r.document;
    errors.push({ source: 'authorization-details-file', code: 'invalid-input', location: file, path: r.error.path, message: `${file} at ${r.error.path}: expected ${r.error.expected}, got ${r.error.got}` });
    return undefined;
  };

  const managed = new Map<string, ManagedPolicyInfo>();
  data.Policies.forEach((p, i) => {
    const versions = p.PolicyVersionList;
    const vi = versions.findIndex((v) => v.IsDefaultVersion === true || (p.DefaultVersionId !== undefined && v.VersionId === p.DefaultVersionId));
    const idx = vi >= 0 ? vi : versions.length === 1 ? 0 : -1;
    if (idx < 0) {
      errors.push({ source: 'authorization-details-file', code: 'invalid-input', location: file, path: `$.Policies[${i}].PolicyVersionList`, message: `${file} at $.Policies[${i}].PolicyVersionList: no default version for ${p.Arn}` });
      return;
    }
    const doc = parseDoc(versions[idx]!.Document, 'identity', `$.Policies[${i}].PolicyVersionList[${idx}].Document`);
    if (!doc) return;
    const awsManaged = isAwsManaged(p.Arn);
    // A customer's SetDefaultPolicyVersion can make any listed version the default: keep them
    // (IAM keeps at most five versions, so at most four others; more is not an export of IAM's).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
    let otherVersions: readonly PolicyVersionInfo[] | undefined;
    if (!awsManaged) {
      const others: PolicyVersionInfo[] = [];
      versions.forEach((v, k) => {
        if (k === idx || others.length >= 4) return;
        const d = parseDoc(v.Document, 'identity', `$.Policies[${i}].PolicyVersionList[${k}].Document`);
        if (d) others.push({ versionId: v.VersionId ?? `#${k}`, document: d });
      });
      otherVersions = others.length > 0 ? others : NO_VERSIONS;
    }
    const info: ManagedPolicyInfo = {
      arn: p.Arn, name: p.PolicyName, path: p.Path, awsManaged, document: doc,
      ...(p.DefaultVersionId !== undefined ? { defaultVersionId: p.DefaultVersionId } : {}),
      ...(p.AttachmentCount !== undefined ? { attachmentCount: p.AttachmentCount } : {}),
      ...(otherVersions ? { otherVersions } : {}),
    };
    managed.set(p.Arn, info);
  });

  const resolveManaged = (list: readonly { PolicyName?: string | undefined; PolicyArn: string }[], unresolved: string[], group?: string): AttachedPolicy[] => {
    const out: AttachedPolicy[] = [];
    for (const a of list) {
      const m = managed.get(a.PolicyArn);
      if (!m) { unresolved.push(a.PolicyArn); continue; }
      out.push({
        origin: group === undefined
          ? { kind: 'managed', name: m.name, arn: m.arn, awsManaged: m.awsManaged }
          : { kind: 'group-managed', name: m.name, arn: m.arn, awsManaged: m.awsManaged, group },
        document: m.document,
      });
    }
    return out;
  };
  const resolveBoundary = (b: { PermissionsBoundaryArn: string } | undefined, unresolved: string[]): AttachedPolicy | undefined => {
    if (!b) return undefined;
    const m = managed.get(b.PermissionsBoundaryArn);
    if (!m) { unresolved.push(b.PermissionsBoundaryArn); return undefined; }
    return { origin: { kind: 'boundary', name: m.name, arn: m.arn, awsManaged: m.awsManaged }, document: m.document };
  };
  const tagMap = (t: { Key: string; Value: string }[] | undefined) => Object.fromEntries((t ?? []).map((x) => [x.Key, x.Value]));

  const groups = new Map<string, { policies: AttachedPolicy[]; unresolved: string[] }>();
  const groupList: Group[] = [];
  data.GroupDetailList.forEach((g, gi) => {
    const unresolved: string[] = [];
    const policies: AttachedPolicy[] = [];
    g.GroupPolicyList.forEach((p, pi) => {
      const doc = parseDoc(p.PolicyDocument, 'identity', `$.GroupDetailList[${gi}].GroupPolicyList[${pi}].PolicyDocument`);
      if (doc) policies.push({ origin: { kind: 'group-inline', name: p.PolicyName, group: g.GroupName }, document: doc });
      else unresolved.push(`inline:${g.GroupName}/${p.PolicyName}`);
    });
    policies.push(...resolveManaged(g.AttachedManagedPolicies, unresolved, g.GroupName));
    groups.set(g.GroupName, { policies, unresolved });
    groupList.push({ arn: g.Arn, name: g.GroupName, path: g.Path, policies, unresolvedPolicyArns: unresolved });
  });

  const principals: Principal[] = [];
  data.UserDetailList.forEach((u, ui) => {
    const unresolved: string[] = [];
    const policies: AttachedPolicy[] = [];
    u.UserPolicyList.forEach((p, pi) => {
      const doc = parseDoc(p.PolicyDocument, 'identity', `$.UserDetailList[${ui}].UserPolicyList[${pi}].PolicyDocument`);
      if (doc) policies.push({ origin: { kind: 'inline', name: p.PolicyName }, document: doc });
      else unresolved.push(`inline:${p.PolicyName}`);
    });
    policies.push(...resolveManaged(u.AttachedManagedPolicies, unresolved));
    for (const gname of u.GroupList) {
      const g = groups.get(gname);
      if (!g) { unresolved.push(`group:${gname}`); continue; }
      policies.push(...g.policies);
      unresolved.push(...g.unresolved);
    }
    const b = resolveBoundary(u.PermissionsBoundary, unresolved);
    const user: User = {
      kind: 'user', arn: u.Arn, id: u.UserId, name: u.UserName, path: u.Path, tags: tagMap(u.Tags), policies,
      unresolvedPolicyArns: unresolved, groups: u.GroupList,
      ...(u.CreateDate ? { createDate: u.CreateDate } : {}),
      ...(b ? { boundary: b } : {}),
      ...(u.PermissionsBoundary ? { boundaryArn: u.PermissionsBoundary.PermissionsBoundaryArn } : {}),
      ...(u.PasswordLastUsed ? { passwordLastUsed: u.PasswordLastUsed } : {}),
    };
    principals.push(user);
  });
  data.RoleDetailList.forEach((r, ri) => {
    const unresolved: string[] = [];
    const policies: AttachedPolicy[] = [];
    r.RolePolicyList.forEach((p, pi) => {
      const doc = parseDoc(p.PolicyDocument, 'identity', `$.RoleDetailList[${ri}].RolePolicyList[${pi}].PolicyDocument`);
      if (doc) policies.push({ origin: { kind: 'inline', name: p.PolicyName }, document: doc });
      else unresolved.push(`inline:${p.PolicyName}`);
    });
    policies.push(...resolveManaged(r.AttachedManagedPolicies, unresolved));
    const b = resolveBoundary(r.PermissionsBoundary, unresolved);
    const trust = r.AssumeRolePolicyDocument === undefined
      ? undefined
      : parseDoc(r.AssumeRolePolicyDocument, 'trust', `$.RoleDetailList[${ri}].AssumeRolePolicyDocument`);
    const role: Role = {
      kind: 'role', arn: r.Arn, id: r.RoleId, name: r.RoleName, path: r.Path, tags: tagMap(r.Tags), policies,
      unresolvedPolicyArns: unresolved,
      trustPolicy: trust ?? { version: '2012-10-17', statements: [] },
      instanceProfiles: r.InstanceProfileList.map((ip) => ip.Arn ?? ip.InstanceProfileName ?? '').filter(Boolean),
      ...(r.CreateDate ? { createDate: r.CreateDate } : {}),
      ...(b ? { boundary: b } : {}),
      ...(r.PermissionsBoundary ? { boundaryArn: r.PermissionsBoundary.PermissionsBoundaryArn } : {}),
      ...(r.MaxSessionDuration !== undefined ? { maxSessionDuration: r.MaxSessionDuration } : {}),
      ...(r.RoleLastUsed ? { lastUsed: { ...(r.RoleLastUsed.LastUsedDate ? { date: r.RoleLastUsed.LastUsedDate } : {}), ...(r.RoleLastUsed.Region ? { region: r.RoleLastUsed.Region } : {}) } } : {}),
    };
    principals.push(role);
  });

  const accounts = accountSightings(data);
  const accountId = accounts[0]?.id;
  if (accounts.length > 1) {
    // One export is one account; a mix (hand-merged files?) would file findings under the wrong one.
    const other = accounts[1]!;
    errors.push({ source: 'authorization-details-file', code: 'invalid-input', location: file, path: other.example.path, message: `${file} at ${other.example.path}: expected ARNs of one account, got ${accounts.map((a) => `${a.id} (${a.count})`).join(', ')}, e.g. ${other.example.arn}; scanned as ${accountId}` });
  }
  return {
    ...(accountId ? { accountId } : {}),
    accounts,
    principals,
    managedPolicies: [...managed.values()],
    groups: groupList,
    errors,
    counts: { users: data.UserDetailList.length, groups: data.GroupDetailList.length, roles: data.RoleDetailList.length, policies: data.Policies.length },
  };
}

export function readAuthorizationDetailsFile(file: string): AuthorizationDetailsResult {
  return normalizeAuthorizationDetails(readJsonFile(file), file);
}
