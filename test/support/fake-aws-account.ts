// Fixture accounts for the loopback AWS endpoint (fake-aws.ts): built from a real
// get-account-authorization-details export, or generated with N roles from a seed.

/** The fields of a CloudTrail record the loopback LookupEvents needs; the rest passes through. */
export interface CloudTrailRecordLike {
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventID?: string;
  readonly [key: string]: unknown;
}

export interface AuthorizationDetailsJson {
  UserDetailList: Record<string, unknown>[];
  GroupDetailList: Record<string, unknown>[];
  RoleDetailList: Record<string, unknown>[];
  Policies: Record<string, unknown>[];
}

export interface FakeScp {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly document: unknown;
  readonly awsManaged?: boolean;
}

export interface FakeOrganization {
  /** child id (account or OU) → its parent */
  readonly parents: Record<string, { readonly id: string; readonly type: 'ORGANIZATIONAL_UNIT' | 'ROOT' }>;
  readonly policies: readonly FakeScp[];
  /** target id (account, OU or root) → attached SCP ids */
  readonly attachments: Record<string, readonly string[]>;
}

export interface FakeTrackedAction {
  ActionName: string;
  LastAccessedEntity?: string;
  LastAccessedTime?: string;
  LastAccessedRegion?: string;
}

export interface FakeServiceLastAccessed {
  ServiceName: string;
  ServiceNamespace: string;
  LastAuthenticated?: string;
  LastAuthenticatedEntity?: string;
  LastAuthenticatedRegion?: string;
  TotalAuthenticatedEntities?: number;
  TrackedActionsLastAccessed?: FakeTrackedAction[];
}

export interface FakeAccount {
  readonly accountId: string;
  /** What GetCallerIdentity reports for this account's long-term test credentials. */
  readonly callerArn: string;
  /** CLI shape: documents as objects, dates as ISO strings (the fake encodes them like IAM does). */
  readonly authorizationDetails: AuthorizationDetailsJson;
  /** role name → MaxSessionDuration (ListRoles); 3600 when absent, as IAM defaults. */
  readonly maxSessionDuration?: Record<string, number>;
  /** principal ARN → action-level service-last-accessed data. */
  readonly lastAccessed?: Record<string, FakeServiceLastAccessed[]>;
  readonly cloudTrailRecords?: readonly CloudTrailRecordLike[];
  readonly organization?: FakeOrganization;
  /** role ARN → what AssumeRole into it requires. Only listed roles can be assumed. */
  readonly assumableRoles?: Record<string, { readonly externalId?: string }>;
  /** Operation names answered with AccessDenied for callers in this account. */
  readonly deny?: readonly string[];
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/;

/** Dates in CLI exports vary ("2019-12-18 19:10:08+00:00"); the wire and our output use ISO 8601. */
export function isoDates<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => isoDates(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = typeof v === 'string' && k.endsWith('Date') && DATE_LIKE.test(v) ? new Date(v.replace(' ', 'T')).toISOString() : isoDates(v);
    }
    return out as T;
  }
  return value;
}

export function accountIdOf(details: AuthorizationDetailsJson): string {
  const arns = [...details.UserDetailList, ...details.GroupDetailList, ...details.RoleDetailList].map((p) => String(p['Arn'] ?? ''));
  const id = arns.map((a) => /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(a)?.[1]).find(Boolean);
  if (!id) throw new Error('authorization details name no account id in any principal ARN');
  return id;
}

/** A fake account holding an existing export (e.g. the shared cloudsplaining fixture). */
export function accountFromAuthorizationDetails(json: unknown, extra: Partial<FakeAccount> = {}): FakeAccount {
  const raw = json as Partial<AuthorizationDetailsJson>;
  const details: AuthorizationDetailsJson = isoDates({
    UserDetailList: raw.UserDetailList ?? [],
    GroupDetailList: raw.GroupDetailList ?? [],
    RoleDetailList: raw.RoleDetailList ?? [],
    Policies: raw.Policies ?? [],
  });
  const accountId = extra.accountId ?? accountIdOf(details);
  return { callerArn: `arn:aws:iam::${accountId}:user/leash-scanner`, ...extra, accountId, authorizationDetails: details };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { mulberry32 };

const SERVICES = ['s3', 'ec2', 'dynamodb', 'lambda', 'logs', 'sqs', 'kms', 'bedrock'];
const VERBS = ['Get*', 'List*', 'Describe*', 'Put*', 'Delete*', '*'];

/**
 * An account with `roles` roles, a few users, groups and managed policies. Documents carry
 * characters that URL-encoding must survive: spaces, `+`, `%`, `${aws:username}`, non-ASCII.
 */
export function generateAccount(opts: { roles: number; users?: number; accountId?: string; seed?: number }): FakeAccount {
  const accountId = opts.accountId ?? '111122223333';
  const rand = mulberry32(opts.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const day = (n: number): string => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString();
  const policies: Record<string, unknown>[] = [];
  for (let i = 0; i < 5; i++) {
    const name = `team-policy-${i}`;
    policies.push({
      PolicyName: name,
      PolicyId: `ANPAFAKE${String(i).padStart(12, '0')}`,
      Arn: `arn:aws:iam::${accountId}:policy/${name}`,
      Path: '/',
      DefaultVersionId: 'v2',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: day(i),
      UpdateDate: day(i + 1),
      PolicyVersionList: [
        { Document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `${pick(SERVICES)}:${pick(VERBS)}`, Resource: '*' }] }, VersionId: 'v2', IsDefaultVersion: true, CreateDate: day(i + 1) },
        { Document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::old/*' }] }, VersionId: 'v1', IsDefaultVersion: false, CreateDate: day(i) },
      ],
    });
  }
  const roles: Record<string, unknown>[] = [];
  for (let i = 0; i < opts.roles; i++) {
    const name = i % 10 === 0 ? `kiro-agent-${i}` : `app-role-${i}`;
    const managed = policies[i % policies.length] as Record<string, unknown>;
    const role: Record<string, unknown> = {
      Path: i % 3 === 0 ? '/service-role/' : '/',
      RoleName: name,
      RoleId: `AROAFAKE${String(i).padStart(12, '0')}`,
      Arn: `arn:aws:iam::${accountId}:role/${i % 3 === 0 ? 'service-role/' : ''}${name}`,
      CreateDate: day(i % 365),
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: i % 2 ? 'lambda.amazonaws.com' : 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      InstanceProfileList: [],
      RolePolicyList: [
        {
          PolicyName: `inline ${i}`,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'Data', Effect: 'Allow', Action: [`${pick(SERVICES)}:${pick(VERBS)}`, 's3:ListBucket'], Resource: [`arn:aws:s3:::bucket-${i}`, `arn:aws:s3:::bucket-${i}/home/\${aws:username}/*`] },
              { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*', Condition: { StringLike: { 'aws:PrincipalTag/team': ['a b+c', '100%', 'équipe'] } } },
            ],
          },
        },
      ],
      AttachedManagedPolicies: [{ PolicyName: managed['PolicyName'], PolicyArn: managed['Arn'] }],
      Tags: i % 10 === 0 ? [{ Key: 'ai-agent', Value: 'true' }] : [],
      RoleLastUsed: i % 4 === 0 ? {} : { LastUsedDate: day(400 + (i % 30)), Region: 'eu-west-1' },
    };
    if (i % 7 === 0) role['PermissionsBoundary'] = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: managed['Arn'] };
    roles.push(role);
  }
  const users: Record<string, unknown>[] = [];
  for (let i = 0; i < (opts.users ?? 3); i++) {
    users.push({
      Path: '/',
      UserName: `engineer-${i}`,
      UserId: `AIDAFAKE${String(i).padStart(12, '0')}`,
      Arn: `arn:aws:iam::${accountId}:user/engineer-${i}`,
      CreateDate: day(i),
      GroupList: ['developers'],
      AttachedManagedPolicies: [],
      UserPolicyList: [{ PolicyName: 'self', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${accountId}:user/\${aws:username}` }] } }],
      Tags: [],
    });
  }
  const groups = [
    {
      Path: '/',
      GroupName: 'developers',
      GroupId: 'AGPAFAKE000000000001',
      Arn: `arn:aws:iam::${accountId}:group/developers`,
      CreateDate: day(0),
      GroupPolicyList: [{ PolicyName: 'dev', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*'], Resource: '*' }] } }],
      AttachedManagedPolicies: [],
    },
  ];
  return {
    accountId,
    callerArn: `arn:aws:iam::${accountId}:user/leash-scanner`,
    authorizationDetails: { UserDetailList: users, GroupDetailList: groups, RoleDetailList: roles, Policies: policies },
  };
}
