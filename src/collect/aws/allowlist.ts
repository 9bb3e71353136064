// The only AWS operations a scan may send. Everything here reads; sts:AssumeRole is the one
// non-"Read" entry and is allowed because it mints temporary credentials for a role the operator
// named (multi-account scanning) — it creates no resource and changes no policy in any account.
// athena:StartQueryExecution / StopQueryExecution are the other two: the one aggregate query over
// the trail table writes its result to the workgroup's result location (Athena's own output, not
// the scanned account's resources), and a scan cancels its own query on timeout or abort.
// The client factory enforces this list in SDK middleware before a request is built or signed.

export type AwsClientName =
  | 'IAMClient' | 'STSClient' | 'CloudTrailClient' | 'OrganizationsClient' | 'SSOAdminClient' | 'S3Client' | 'AthenaClient'
  | 'CloudFormationClient' | 'DynamoDBClient' | 'RDSClient' | 'LambdaClient' | 'ECSClient' | 'EKSClient' | 'KMSClient'
  | 'SecretsManagerClient' | 'SQSClient' | 'SNSClient' | 'ECRClient' | 'AccountClient';

export interface AllowedOperation {
  readonly client: AwsClientName;
  /** SDK v3 command class name, as middleware sees it in `context.commandName`. */
  readonly command: string;
  /** The IAM action the call is authorised as (the catalog's spelling). */
  readonly action: string;
  /** Set when the IAM action's name is not the command's (s3:ListBucket authorises ListObjectsV2). */
  readonly actionNameDiffers?: true;
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
  {
    client: 'AccountClient',
    command: 'ListRegionsCommand',
    action: 'account:ListRegions',
    why: 'activity --live of a role: the account\'s enabled regions, whose LookupEvents hold AssumeRole calls made through regional STS endpoints (optional: refused, the regions read are the ones given)',
  },
  { client: 'OrganizationsClient', command: 'ListParentsCommand', action: 'organizations:ListParents', why: 'walk account → organizational units → root to find every SCP target' },
  { client: 'OrganizationsClient', command: 'ListPoliciesForTargetCommand', action: 'organizations:ListPoliciesForTarget', why: 'SCPs (and RCPs) attached to each target; in --org, read once through the management account' },
  { client: 'OrganizationsClient', command: 'DescribePolicyCommand', action: 'organizations:DescribePolicy', why: 'the SCP and RCP documents' },
  { client: 'SSOAdminClient', command: 'ListInstancesCommand', action: 'sso:ListInstances', why: 'the Identity Center instance ARN, for fixes to AWSReservedSSO_* roles (which live on permission sets)' },
  { client: 'SSOAdminClient', command: 'ListPermissionSetsCommand', action: 'sso:ListPermissionSets', why: 'the permission sets of the instance' },
  { client: 'SSOAdminClient', command: 'DescribePermissionSetCommand', action: 'sso:DescribePermissionSet', why: 'a permission set\'s name, to match it to its AWSReservedSSO_<name>_<hash> role' },
  { client: 'OrganizationsClient', command: 'DescribeOrganizationCommand', action: 'organizations:DescribeOrganization', why: 'scan --org: the organization id (organization trails are delivered under AWSLogs/<org-id>/); a live scan of one account, or each of --all-accounts: the organization it is in, for aws:PrincipalOrgID (callable from any member account; optional: refused, it stays unknown)' },
  { client: 'OrganizationsClient', command: 'ListAccountsCommand', action: 'organizations:ListAccounts', why: 'scan --org: every member account, paginated' },
  { client: 'S3Client', command: 'ListObjectsV2Command', action: 's3:ListBucket', actionNameDiffers: true, why: 'CloudTrail from S3: list the log files of the window, one day folder at a time; --inventory s3://bucket/prefix/: find the newest Config snapshot under the prefix (bounded listing)' },
  { client: 'S3Client', command: 'GetObjectCommand', action: 's3:GetObject', why: 'CloudTrail from S3: read one log file, streamed; --inventory s3://…: read one Config snapshot, bounded' },
  {
    client: 'AthenaClient',
    command: 'StartQueryExecutionCommand',
    action: 'athena:StartQueryExecution',
    why: 'CloudTrail through Athena: the one aggregate SELECT over the trail table (Athena writes its result to the workgroup output location; nothing in the scanned accounts changes)',
  },
  { client: 'AthenaClient', command: 'GetQueryExecutionCommand', action: 'athena:GetQueryExecution', why: 'CloudTrail through Athena: poll the query state' },
  { client: 'AthenaClient', command: 'GetQueryResultsCommand', action: 'athena:GetQueryResults', why: 'CloudTrail through Athena: page the aggregate rows' },
  { client: 'AthenaClient', command: 'StopQueryExecutionCommand', action: 'athena:StopQueryExecution', why: 'CloudTrail through Athena: cancel our own query on timeout or abort' },
  // Resource inventory (--resources): list, describe and read resource-based policies and tags.
  { client: 'CloudFormationClient', command: 'DescribeStacksCommand', action: 'cloudformation:DescribeStacks', why: 'inventory: stacks with their ARNs and tags, paginated per region' },
  { client: 'S3Client', command: 'ListBucketsCommand', action: 's3:ListAllMyBuckets', actionNameDiffers: true, why: 'inventory: every bucket of the account (with its region where S3 says)' },
  { client: 'S3Client', command: 'GetBucketLocationCommand', action: 's3:GetBucketLocation', why: 'inventory: a bucket\'s region when ListBuckets does not say (Athena also uses it to locate the trail and result buckets)' },
  { client: 'S3Client', command: 'GetBucketPolicyCommand', action: 's3:GetBucketPolicy', why: 'inventory: the bucket policy (resource-based policy)' },
  { client: 'S3Client', command: 'GetBucketTaggingCommand', action: 's3:GetBucketTagging', why: 'inventory: bucket tags (production markers)' },
  { client: 'DynamoDBClient', command: 'ListTablesCommand', action: 'dynamodb:ListTables', why: 'inventory: table names per region' },
  { client: 'DynamoDBClient', command: 'ListTagsOfResourceCommand', action: 'dynamodb:ListTagsOfResource', why: 'inventory: table tags' },
  { client: 'DynamoDBClient', command: 'GetResourcePolicyCommand', action: 'dynamodb:GetResourcePolicy', why: 'inventory: the table\'s resource-based policy' },
  { client: 'RDSClient', command: 'DescribeDBInstancesCommand', action: 'rds:DescribeDBInstances', why: 'inventory: DB instances with ARNs and tags' },
  { client: 'RDSClient', command: 'DescribeDBClustersCommand', action: 'rds:DescribeDBClusters', why: 'inventory: DB clusters with ARNs and tags' },
  { client: 'LambdaClient', command: 'ListFunctionsCommand', action: 'lambda:ListFunctions', why: 'inventory: functions per region' },
  { client: 'LambdaClient', command: 'ListTagsCommand', action: 'lambda:ListTags', why: 'inventory: function tags' },
  { client: 'LambdaClient', command: 'GetPolicyCommand', action: 'lambda:GetPolicy', why: 'inventory: the function\'s resource-based policy (permissions)' },
  { client: 'ECSClient', command: 'ListClustersCommand', action: 'ecs:ListClusters', why: 'inventory: ECS cluster ARNs' },
  { client: 'ECSClient', command: 'DescribeClustersCommand', action: 'ecs:DescribeClusters', why: 'inventory: ECS cluster names and tags' },
  { client: 'ECSClient', command: 'ListServicesCommand', action: 'ecs:ListServices', why: 'inventory: ECS service ARNs per cluster' },
  { client: 'ECSClient', command: 'DescribeServicesCommand', action: 'ecs:DescribeServices', why: 'inventory: ECS service names and tags' },
  { client: 'EKSClient', command: 'ListClustersCommand', action: 'eks:ListClusters', why: 'inventory: EKS cluster names' },
  { client: 'EKSClient', command: 'DescribeClusterCommand', action: 'eks:DescribeCluster', why: 'inventory: EKS cluster ARN and tags' },
  { client: 'KMSClient', command: 'ListKeysCommand', action: 'kms:ListKeys', why: 'inventory: KMS key ARNs' },
  { client: 'KMSClient', command: 'GetKeyPolicyCommand', action: 'kms:GetKeyPolicy', why: 'inventory: the key policy (policy name "default")' },
  { client: 'KMSClient', command: 'ListResourceTagsCommand', action: 'kms:ListResourceTags', why: 'inventory: key tags' },
  { client: 'SecretsManagerClient', command: 'ListSecretsCommand', action: 'secretsmanager:ListSecrets', why: 'inventory: secret ARNs, names and tags (never their values)' },
  { client: 'SecretsManagerClient', command: 'GetResourcePolicyCommand', action: 'secretsmanager:GetResourcePolicy', why: 'inventory: the secret\'s resource-based policy' },
  { client: 'SQSClient', command: 'ListQueuesCommand', action: 'sqs:ListQueues', why: 'inventory: queue URLs per region' },
  { client: 'SQSClient', command: 'GetQueueAttributesCommand', action: 'sqs:GetQueueAttributes', why: 'inventory: QueueArn and Policy attributes only' },
  { client: 'SQSClient', command: 'ListQueueTagsCommand', action: 'sqs:ListQueueTags', why: 'inventory: queue tags' },
  { client: 'SNSClient', command: 'ListTopicsCommand', action: 'sns:ListTopics', why: 'inventory: topic ARNs per region' },
  { client: 'SNSClient', command: 'GetTopicAttributesCommand', action: 'sns:GetTopicAttributes', why: 'inventory: the topic policy attribute' },
  { client: 'SNSClient', command: 'ListTagsForResourceCommand', action: 'sns:ListTagsForResource', why: 'inventory: topic tags' },
  { client: 'ECRClient', command: 'DescribeRepositoriesCommand', action: 'ecr:DescribeRepositories', why: 'inventory: repository ARNs and names' },
  { client: 'ECRClient', command: 'GetRepositoryPolicyCommand', action: 'ecr:GetRepositoryPolicy', why: 'inventory: the repository policy' },
  { client: 'ECRClient', command: 'ListTagsForResourceCommand', action: 'ecr:ListTagsForResource', why: 'inventory: repository tags' },
];

/**
 * Permissions the scanner identity needs that leash never sends as a call of its own: Athena
 * exercises them on the caller's behalf while running the query (the Glue catalog of the trail
 * table, the trail bucket, and the workgroup's result bucket it writes to).
 */
export const INDIRECT_PERMISSIONS: readonly { readonly action: string; readonly why: string }[] = [
  { action: 'glue:GetDatabase', why: 'Athena resolves the trail table\'s database' },
  { action: 'glue:GetTable', why: 'Athena reads the trail table definition' },
  { action: 'glue:GetPartitions', why: 'Athena prunes partitions of a partitioned trail table' },
  { action: 'athena:GetWorkGroup', why: 'Athena reads the workgroup settings (result location) when the query starts' },
  { action: 's3:PutObject', why: 'Athena writes the query result to the workgroup result location (scope the resource to that prefix)' },
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
