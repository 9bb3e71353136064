import type { OrganizationFacts } from './organization.js';
import type { AttachedPolicy, PolicyDocument } from './policy.js';
import type { UsageData } from './usage.js';
import type { AgentEvidence } from './agent.js';
import type { ScanError, SourceInfo } from './errors.js';
import type { ResourceInventory } from './inventory.js';

export type PrincipalKind = 'role' | 'user';

interface PrincipalBase {
  readonly kind: PrincipalKind;
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly createDate?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Identity policies, resolved: inline, managed, and (users) their groups' inline and managed. */
  readonly policies: readonly AttachedPolicy[];
  readonly boundary?: AttachedPolicy;
  /** The boundary the export names, even when its policy is missing from the export (then `boundary` is absent). */
  readonly boundaryArn?: string;
  /** A managed policy attached but missing from the export (e.g. filtered out) — unknown, not empty. */
  readonly unresolvedPolicyArns: readonly string[];
}

export interface Role extends PrincipalBase {
  readonly kind: 'role';
  readonly trustPolicy: PolicyDocument;
  readonly maxSessionDuration?: number;
  /** From RoleLastUsed; undefined = the export did not say (not "never"). */
  readonly lastUsed?: { readonly date?: string; readonly region?: string };
  readonly instanceProfiles: readonly string[];
}

export interface User extends PrincipalBase {
  readonly kind: 'user';
  readonly groups: readonly string[];
  readonly passwordLastUsed?: string;
}

export type Principal = Role | User;

/** An IAM group: its own policies (members carry them too, resolved into their `policies`). */
export interface Group {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly policies: readonly AttachedPolicy[];
  readonly unresolvedPolicyArns: readonly string[];
}

export interface ManagedPolicyInfo {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly awsManaged: boolean;
  readonly defaultVersionId?: string;
  readonly attachmentCount?: number;
  readonly document: PolicyDocument;
  /**
   * Customer managed: the versions other than the default, as the export lists them (IAM keeps at
   * most five; iam:SetDefaultPolicyVersion can make any of them the default). Absent: not known.
   */
  readonly otherVersions?: readonly PolicyVersionInfo[];
}

export interface PolicyVersionInfo {
  readonly versionId: string;
  readonly document: PolicyDocument;
}

/** Everything a scan knows, from whichever sources were collected. Stages after collect only read it. */
export interface Snapshot {
  readonly account: { readonly id: string; readonly alias?: string };
  readonly collectedAt: string;
  readonly principals: readonly Principal[];
  readonly managedPolicies: readonly ManagedPolicyInfo[];
  /** The account's groups (absent from older snapshots and from inputs without groups). */
  readonly groups?: readonly Group[];
  /** Service control policies that apply to the account, outermost first (each level must allow). */
  readonly scps?: readonly (readonly AttachedPolicy[])[];
  readonly usage?: UsageData;
  /** Agent evidence gathered outside IAM (local tool configs, CloudTrail), keyed by principal ARN. */
  readonly externalEvidence?: Readonly<Record<string, readonly AgentEvidence[]>>;
  /** IAM Identity Center, read live (sso-admin List and Describe calls): the instance and its permission sets by name. */
  readonly identityCenter?: IdentityCenterInfo;
  /** Resources and their resource-based policies (live, AWS Config snapshot, or a leash inventory file), when collected. */
  readonly inventory?: ResourceInventory;
  /**
   * The organization the account belongs to (aws:PrincipalOrgID / OrgPaths of its principals): what
   * an `--org` scan read of it, or what a live scan of one account learnt from
   * organizations:DescribeOrganization when config resources.organizationId states none.
   */
  readonly organization?: OrganizationFacts;
  /**
   * organizations:DescribeOrganization said the account is a member of no organization
   * (AWSOrganizationsNotInUseException) and config states none: aws:PrincipalOrgID and
   * aws:PrincipalOrgPaths are then absent from its principals' requests.
   */
  readonly noOrganization?: true;
  /** Coverage notes from collection (the report's `scan.coverage.notes`), e.g. config contradicting AWS. */
  readonly notes?: readonly string[];
  readonly sources: readonly SourceInfo[];
  readonly errors: readonly ScanError[];
}

export interface IdentityCenterInfo {
  readonly instanceArn: string;
  readonly permissionSets: readonly { readonly name: string; readonly arn: string }[];
}
