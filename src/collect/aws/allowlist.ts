// The only AWS operations a scan may send. Everything here reads; sts:AssumeRole is the one
// non-"Read" entry and is allowed because it mints temporary credentials for a role the operator
// named (multi-account scanning) — it creates no resource and changes no policy in any account.
// The client factory enforces this list in SDK middleware before a request is built or signed.

export type AwsClientName = 'IAMClient' | 'STSClient' | 'CloudTrailClient' | 'OrganizationsClient' | 'SSOAdminClient';

export interface AllowedOperation {
  readonly client: AwsClientName;
  /** SDK v3 command class name, as middleware sees it in `context.commandName`. */
  readonly command: string;
  /** The IAM action the call is authorised as (the catalog's spelling). */
  readonly action: string;
  readonly why: string;
}

export const READ_ONLY_OPERATIONS: readonly AllowedOperation[] = [
  { client: 'STSClient', command: 'GetCallerIdentityCommand', action: 'sts:GetCallerIdentity', why: 'which account and identity the scan runs as; needs no permission' },
  {
    client: 'STSClient',
    command: 'AssumeRoleCommand',
    action: 'sts:AssumeRole',
    why: 'multi-account scans: temporary credentials for the scanner role in each listed account; creates credentials, not resources',
  },
  { client: 'IAMClient', command: 'GetAccountAuthorizationDetailsCommand', action: 'iam:GetAccountAuthorizationDetails', why: 'all users, groups, roles and policies in one paginated call' },
  { client: 'IAMClient', command: 'ListRolesCommand', action: 'iam:ListRoles', why: 'MaxSessionDuration, which authorization details omit; paginated, never per role' },
  {
    client: 'IAMClient',
    command: 'GenerateServiceLastAccessedDetailsCommand',
    action: 'iam:GenerateServiceLastAccessedDetails',
    why: 'starts an action-level last-accessed report job (IAM classes it Read; it stores nothing in the account)',
  },
  { client: 'IAMClient', command: 'GetServiceLastAccessedDetailsCommand', action: 'iam:GetServiceLastAccessedDetails', why: 'reads the last-accessed report job' },
  { client: 'CloudTrailClient', command: 'LookupEventsCommand', action: 'cloudtrail:LookupEvents', why: 'management events of the last days, for observed usage and AI user agents' },
  { client: 'OrganizationsClient', command: 'ListParentsCommand', action: 'organizations:ListParents', why: 'walk account → organizational units → root to find every SCP target' },
  { client: 'OrganizationsClient', command: 'ListPoliciesForTargetCommand', action: 'organizations:ListPoliciesForTarget', why: 'SCPs attached to each target' },
  { client: 'OrganizationsClient', command: 'DescribePolicyCommand', action: 'organizations:DescribePolicy', why: 'the SCP documents' },
  { client: 'SSOAdminClient', command: 'ListInstancesCommand', action: 'sso:ListInstances', why: 'the Identity Center instance ARN, for fixes to AWSReservedSSO_* roles (which live on permission sets)' },
  { client: 'SSOAdminClient', command: 'ListPermissionSetsCommand', action: 'sso:ListPermissionSets', why: 'the permission sets of the instance' },
  { client: 'SSOAdminClient', command: 'DescribePermissionSetCommand', action: 'sso:DescribePermissionSet', why: 'a permission set\'s name, to match it to its AWSReservedSSO_<name>_<hash> role' },
];

const allowed = new Set(READ_ONLY_OPERATIONS.map((o) => `${o.client}.${o.command}`));

export function isAllowedOperation(clientName: string | undefined, commandName: string | undefined): boolean {
  return allowed.has(`${clientName ?? '?'}.${commandName ?? '?'}`);
}

/** Thrown before a request is built when code asks for an operation that is not on the list. */
export class ReadOnlyViolationError extends Error {
  constructor(
    readonly clientName: string,
    readonly commandName: string,
  ) {
    super(`leash is read-only: ${clientName}.${commandName} is not on the allowlist of operations a scan may send (src/collect/aws/allowlist.ts)`);
    this.name = 'ReadOnlyViolationError';
  }
}
