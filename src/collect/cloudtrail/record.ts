// One CloudTrail record: the fields leash reads, a cheap shape check (no schema library in the
// hot loop: a corpus has millions of records), and attribution of the call to an IAM principal.

/** The subset of a CloudTrail record (eventVersion 1.x) that leash reads. */
export interface CloudTrailRecord {
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventType?: string;
  readonly awsRegion?: string;
  readonly recipientAccountId?: string;
  readonly userIdentity: UserIdentity;
  readonly userAgent?: string;
  readonly sourceIPAddress?: string;
  readonly errorCode?: string | null;
  readonly requestParameters?: Readonly<Record<string, unknown>> | null;
  readonly responseElements?: Readonly<Record<string, unknown>> | null;
  readonly additionalEventData?: Readonly<Record<string, unknown>> | null;
  readonly resources?: readonly { readonly ARN?: string; readonly type?: string }[] | null;
  readonly managementEvent?: boolean;
  /** Management, Data, Insight, NetworkActivity (absent in records from before 2021). */
  readonly eventCategory?: string;
}

/** A data event (S3 object call, Lambda invoke, DynamoDB item…): only trails with data event selectors log these. */
export function isDataEvent(r: CloudTrailRecord): boolean {
  return r.eventCategory === 'Data' || (r.eventCategory === undefined && r.managementEvent === false && r.eventType === 'AwsApiCall');
}

export interface UserIdentity {
  readonly type?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly userName?: string;
  readonly invokedBy?: string;
  readonly sessionContext?: {
    readonly sessionIssuer?: { readonly type?: string; readonly arn?: string; readonly userName?: string };
    readonly sourceIdentity?: string;
  };
}

// CloudTrail writes eventTime as `YYYY-MM-DDTHH:MM:SSZ`; string comparison then orders by time.
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Character checks first (this runs once per record); the regex only for unusual lengths. */
function isEventTime(t: string): boolean {
  if (t.length === 20) {
    for (let i = 0; i < 20; i++) {
      const c = t.charCodeAt(i);
      const want = i === 4 || i === 7 ? 45 : i === 10 ? 84 : i === 13 || i === 16 ? 58 : i === 19 ? 90 : -1;
      if (want === -1 ? c < 48 || c > 57 : c !== want) return false;
    }
    return true;
  }
  return EVENT_TIME.test(t);
}

/** undefined when the value has the fields leash needs, else what is wrong (for a ScanError). */
export function recordProblem(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'expected a CloudTrail record object';
  const o = r as Record<string, unknown>;
  if (typeof o.eventSource !== 'string') return 'expected eventSource (string)';
  if (typeof o.eventName !== 'string') return 'expected eventName (string)';
  if (typeof o.eventTime !== 'string' || !isEventTime(o.eventTime)) return 'expected eventTime (ISO 8601 UTC, e.g. 2024-01-31T12:00:00Z)';
  if (typeof o.userIdentity !== 'object' || o.userIdentity === null) return 'expected userIdentity (object)';
  return undefined;
}

/** Normalises millisecond timestamps so that all times compare as strings of one format. */
export function eventTimeOf(r: CloudTrailRecord): string {
  const t = r.eventTime;
  return t.length === 20 ? t : `${t.slice(0, 19)}Z`;
}

export type Attribution =
  | {
      readonly principalArn: string;
      readonly identityType: string;
      readonly sessionName?: string;
      readonly sourceIdentity?: string;
    }
  | { readonly skip: string };

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

/**
 * Which IAM principal's permissions authorized the call.
 * - IAMUser → the user ARN.
 * - AssumedRole → the role ARN from sessionContext.sessionIssuer (it keeps the role's path;
 *   the sts assumed-role ARN does not), session name = last part of the assumed-role ARN.
 * - FederatedUser (GetFederationToken) → the issuing IAM user, whose policies bound the session.
 * - Root → the account root ARN.
 * - AWSService and records without a caller (service events) are not calls by an account
 *   principal: skipped, and counted by the caller.
 */
export function attribute(r: CloudTrailRecord): Attribution {
  const id = r.userIdentity;
  const type = id.type;
  switch (type) {
    case 'IAMUser':
      return typeof id.arn === 'string' ? principal(id.arn, type, undefined, sourceIdentityOf(r)) : { skip: 'IAMUser without arn (user path unknown)' };
    case 'AssumedRole': {
      const issuer = id.sessionContext?.sessionIssuer?.arn;
      const arn = id.arn;
      if (typeof issuer === 'string') {
        return principal(issuer, type, typeof arn === 'string' ? sessionNameOf(arn) : undefined, sourceIdentityOf(r));
      }
      // No issuer (some data events, cross-account): rebuild the role ARN. The role's path is not
      // in the sts ARN, so this is only right for roles on path "/".
      const m = typeof arn === 'string' ? ASSUMED_ROLE.exec(arn) : null;
      if (m) return principal(`arn:${m[1]}:iam::${m[2]}:role/${m[3]}`, type, m[4], sourceIdentityOf(r));
      return { skip: 'AssumedRole without sessionIssuer or arn' };
    }
    case 'FederatedUser': {
      const issuer = id.sessionContext?.sessionIssuer?.arn;
      const name = typeof id.arn === 'string' ? id.arn.slice(id.arn.lastIndexOf('/') + 1) || undefined : undefined;
      return typeof issuer === 'string' ? principal(issuer, type, name, sourceIdentityOf(r)) : { skip: 'FederatedUser without sessionIssuer' };
    }
    case 'Root':
      if (typeof id.arn === 'string') return { principalArn: id.arn, identityType: type };
      return typeof id.accountId === 'string' ? { principalArn: `arn:aws:iam::${id.accountId}:root`, identityType: type } : { skip: 'Root without arn' };
    case 'AWSService':
      return { skip: 'AWSService (call made by an AWS service, not an account principal)' };
    case 'AWSAccount':
      return { skip: 'AWSAccount (caller in another account, identity not given)' };
    case 'IdentityCenterUser':
    case 'Unknown':
    case 'SAMLUser':
    case 'WebIdentityUser':
      return { skip: `${type} (not an IAM principal of this account)` };
    case undefined:
      return { skip: r.eventType === 'AwsServiceEvent' ? 'service event (no calling principal)' : 'userIdentity without type' };
    default:
      return { skip: `userIdentity type ${type}` };
  }
}

/** `arn:aws:sts::<acct>:assumed-role/<role>/<session>` → `<session>` (neither part may hold a `/`). */
function sessionNameOf(assumedRoleArn: string): string | undefined {
  const at = assumedRoleArn.indexOf(':assumed-role/');
  if (at < 0) return undefined;
  const slash = assumedRoleArn.indexOf('/', at + ':assumed-role/'.length);
  return slash < 0 || slash === assumedRoleArn.length - 1 ? undefined : assumedRoleArn.slice(slash + 1);
}

// One object shape per attribution, without optional keys set to undefined (exactOptionalPropertyTypes).
function principal(principalArn: string, identityType: string, sessionName: string | undefined, sourceIdentity: string | undefined): Attribution {
  if (sessionName !== undefined && sourceIdentity !== undefined) return { principalArn, identityType, sessionName, sourceIdentity };
  if (sessionName !== undefined) return { principalArn, identityType, sessionName };
  if (sourceIdentity !== undefined) return { principalArn, identityType, sourceIdentity };
  return { principalArn, identityType };
}

/**
 * sourceIdentity of the calling session (userIdentity.sessionContext). The one an AssumeRole*
 * call sets (in its requestParameters) names the *new* session of the target role, whose own
 * calls carry it in their sessionContext; it says nothing about the caller, so it is not read.
 */
export function sourceIdentityOf(r: CloudTrailRecord): string | undefined {
  const fromSession = r.userIdentity.sessionContext?.sourceIdentity;
  return typeof fromSession === 'string' && fromSession ? fromSession : undefined;
}

/** Calls that IAM refused: attempted, not needed-and-granted. */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'Client.UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
]);
export function isDenied(r: CloudTrailRecord): boolean {
  return typeof r.errorCode === 'string' && DENIED.has(r.errorCode);
}

function partitionOf(r: CloudTrailRecord): string {
  const region = r.awsRegion ?? '';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Resource ARNs the call touched: the record's `resources[]`, plus a few requestParameters whose
 * ARN is unambiguous. IAM roleName/userName alone are not used: the ARN includes the path, which
 * the request does not carry, and a wrong ARN would let a fix scope a policy to a resource the
 * call never used. Created principals' ARNs come from responseElements instead.
 */
export function resourcesOf(r: CloudTrailRecord): string[] {
  const out: string[] = [];
  if (Array.isArray(r.resources)) {
    for (const res of r.resources) if (res && typeof res.ARN === 'string' && res.ARN.startsWith('arn:')) out.push(res.ARN);
  }
  const p = r.requestParameters;
  if (!p || typeof p !== 'object') return out;
  const prefix = r.eventSource;
  if (prefix === 's3.amazonaws.com') {
    const bucket = p.bucketName;
    if (typeof bucket === 'string' && bucket) {
      const key = p.key;
      out.push(typeof key === 'string' && key ? `arn:${partitionOf(r)}:s3:::${bucket}/${key}` : `arn:${partitionOf(r)}:s3:::${bucket}`);
    }
  } else if (prefix === 'iam.amazonaws.com') {
    if (typeof p.policyArn === 'string' && p.policyArn.startsWith('arn:')) out.push(p.policyArn);
    const created = r.responseElements;
    for (const k of ['role', 'user', 'group', 'instanceProfile', 'policy'] as const) {
      const v = created?.[k];
      if (v && typeof v === 'object' && typeof (v as { arn?: unknown }).arn === 'string') out.push((v as { arn: string }).arn);
    }
  } else if (prefix === 'lambda.amazonaws.com') {
    const fn = p.functionName;
    if (typeof fn === 'string' && fn) {
      if (fn.startsWith('arn:')) out.push(fn);
      else if (!fn.includes(':') && r.recipientAccountId && r.awsRegion) out.push(`arn:${partitionOf(r)}:lambda:${r.awsRegion}:${r.recipientAccountId}:function:${fn}`);
    }
  } else if (prefix === 'sts.amazonaws.com') {
    if (typeof p.roleArn === 'string' && p.roleArn.startsWith('arn:')) out.push(p.roleArn);
  }
  return out;
}
