// A loopback AWS endpoint for tests and benchmarks: IAM and STS over the Query protocol (XML,
// <member> lists, IsTruncated/Marker paging, URL-encoded policy documents like real IAM), and
// CloudTrail and Organizations over JSON 1.1, the Account API's ListRegions over REST-JSON. The
// real SDK talks to it; nothing leaves 127.0.0.1.
// Faults (throttling, 500s, slowness, AccessDenied) are injected deterministically from a seed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32, type CloudTrailRecordLike, type FakeAccount } from './fake-aws-account.js';

// toolchain.md P6: never let an SDK default chain probe instance metadata from a test.
process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export interface FakeAwsOptions {
  /** Items per page for GetAccountAuthorizationDetails, ListRoles, GetServiceLastAccessedDetails (default 100; IAM's MaxItems caps it too). */
  pageSize?: number;
  /** Events per LookupEvents page (default 50, CloudTrail's maximum). */
  cloudTrailPageSize?: number;
  /** Fraction (0..1) of requests answered with a Throttling error. */
  throttleFraction?: number;
  /** Fraction (0..1) of requests answered with HTTP 500. */
  serverErrorFraction?: number;
  /** Seed for the fault sequence; the same seed and request order give the same faults. */
  seed?: number;
  /** Delay before every response. */
  delayMs?: number;
  /** Operation names answered with AccessDenied, for every account. */
  deny?: string[];
  /** How many GetServiceLastAccessedDetails polls answer IN_PROGRESS before a job completes (default 1). */
  lastAccessedPolls?: number;
  /**
   * LookupEvents answers, as CloudTrail does since November 2021, only the events recorded in the
   * request's region (the signing scope's): a record's awsRegion, and us-east-1 for the global
   * services' (IAM, STS, console sign-in, CloudFront). Off: every region's events everywhere.
   */
  cloudTrailRegional?: boolean;
  /**
   * account:ListRegions answers, one array of region names per page (NextToken `page-<n>`); a
   * name is sent as given, hostile or not. Unset: the operation is unknown here (moto has none).
   */
  listRegionsPages?: readonly (readonly string[])[];
  /** Regions whose every request is answered AccessDenied (an SCP denying the region). */
  denyRegions?: string[];
}

export interface ReceivedRequest {
  readonly service: 'iam' | 'sts' | 'cloudtrail' | 'organizations' | 'sso-admin' | 'account' | 'unknown';
  readonly operation: string;
  readonly accountId?: string;
  /** The region of the request's signing scope. */
  readonly region?: string;
  readonly status: number;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface FakeAws {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Long-term credentials of the first account (fake; they only open this server). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Every request received, faults included, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** Options may be changed between calls. */
  readonly options: FakeAwsOptions;
  /** Operation names received, in order. */
  operations(): string[];
  close(): Promise<void>;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** Fields IAM returns as URL-encoded JSON strings (RFC 3986); the SDK leaves them encoded. */
const DOCUMENT_FIELDS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

class FakeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** JSON-ish value → Query-protocol XML: arrays become <member> lists, documents get URL-encoded. */
export function toXml(value: unknown, key = ''): string {
  if (value === undefined || value === null) return '';
  if (DOCUMENT_FIELDS.has(key) && typeof value === 'object') return escapeXml(encodeURIComponent(JSON.stringify(value)));
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v, k)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function queryParams(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

function memberList(params: Record<string, string>, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${name}.member.${i}`] !== undefined; i++) out.push(params[`${name}.member.${i}`] as string);
  return out;
}

const encodeMarker = (n: number): string => Buffer.from(`offset:${n}`).toString('base64');
function decodeMarker(marker: string | undefined): number {
  if (!marker) return 0;
  const m = /^offset:(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
  if (!m) throw new FakeError(400, 'InvalidInput', 'Invalid Marker');
  return Number(m[1]);
}

function page<T>(items: readonly T[], marker: string | undefined, size: number): { items: T[]; next?: string } {
  const start = decodeMarker(marker);
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: encodeMarker(start + size) } : { items: slice };
}

const GLOBAL_EVENT_SOURCES = new Set(['iam.amazonaws.com', 'signin.amazonaws.com', 'cloudfront.amazonaws.com']);

/**
 * Where CloudTrail's Lookup records an event: us-east-1 for the global services, else its region.
 * STS is global only through its global endpoint (awsRegion us-east-1): a call to a regional
 * endpoint is logged in that region (IAM User Guide, "Logging IAM and AWS STS API calls with AWS
 * CloudTrail": requests to regional endpoints are logged in the appropriate region), so an STS
 * event is looked up in its awsRegion.
 */
function lookupRegionOf(r: CloudTrailRecordLike): string {
  return GLOBAL_EVENT_SOURCES.has(r.eventSource) ? 'us-east-1' : String(r['awsRegion'] ?? 'us-east-1');
}

/** LookupEvents' Resources of an event: the record's `resources` (ARN and type). */
function eventResources(r: CloudTrailRecordLike): { ResourceType?: string; ResourceName: string }[] {
  const list = Array.isArray(r['resources']) ? (r['resources'] as { ARN?: unknown; type?: unknown }[]) : [];
  return list.filter((x) => typeof x?.ARN === 'string').map((x) => ({ ...(typeof x.type === 'string' ? { ResourceType: x.type } : {}), ResourceName: x.ARN as string }));
}

/** LookupEvents' "User name": an IAM user's name, a role session's name (the CLI reference's example), root. */
function lookupUsername(r: CloudTrailRecordLike): string | undefined {
  const id = r.userIdentity as { type?: string; userName?: string; arn?: string } | undefined;
  if (id?.type === 'IAMUser') return id.userName ?? id.arn?.split('/').pop();
  if (id?.type === 'AssumedRole' || id?.type === 'FederatedUser') return id.arn?.split('/').pop();
  if (id?.type === 'Root') return 'root';
  return undefined;
}

function principalArns(account: FakeAccount): Set<string> {
  const d = account.authorizationDetails;
  return new Set([...d.UserDetailList, ...d.GroupDetailList, ...d.RoleDetailList, ...d.Policies].map((p) => String(p['Arn'])));
}

interface Job {
  readonly arn: string;
  readonly account: FakeAccount;
  pollsLeft: number;
  readonly created: string;
}

export async function startFakeAws(accountOrAccounts: FakeAccount | readonly FakeAccount[], options: FakeAwsOptions = {}): Promise<FakeAws> {
  const accounts = Array.isArray(accountOrAccounts) ? (accountOrAccounts as readonly FakeAccount[]) : [accountOrAccounts as FakeAccount];
  const first = accounts[0];
  if (!first) throw new Error('startFakeAws needs at least one account');
  const byId = new Map(accounts.map((a) => [a.accountId, a]));
  const baseKey = `AKIAFAKE${first.accountId}`;
  // access key id → account and the identity it stands for
  const keys = new Map<string, { account: FakeAccount; arn: string; userId: string }>([[baseKey, { account: first, arn: first.callerArn, userId: 'AIDAFAKESCANNER' }]]);
  const requests: ReceivedRequest[] = [];
  const jobs = new Map<string, Job>();
  let rand = mulberry32(options.seed ?? 1);
  let seenSeed = options.seed;
  let issued = 0;

  const iamPageSize = (params: Record<string, string>): number => Math.min(Number(params['MaxItems'] ?? 100), options.pageSize ?? 100);

  function iam(op: string, params: Record<string, string>, account: FakeAccount): unknown {
    const d = account.authorizationDetails;
    switch (op) {
      case 'GetAccountAuthorizationDetails': {
        const filter = memberList(params, 'Filter');
        const want = (f: string): boolean => filter.length === 0 || filter.includes(f);
        const items: [string, Record<string, unknown>][] = [
          ...(want('User') ? d.UserDetailList.map((x) => ['UserDetailList', x] as [string, Record<string, unknown>]) : []),
          ...(want('Group') ? d.GroupDetailList.map((x) => ['GroupDetailList', x] as [string, Record<string, unknown>]) : []),
          ...(want('Role') ? d.RoleDetailList.map((x) => ['RoleDetailList', x] as [string, Record<string, unknown>]) : []),
          ...d.Policies.filter((p) => (String(p['Arn']).includes(':iam::aws:') ? want('AWSManagedPolicy') : want('LocalManagedPolicy'))).map(
            (x) => ['Policies', x] as [string, Record<string, unknown>],
          ),
        ];
        const p = page(items, params['Marker'], iamPageSize(params));
        const lists: Record<string, Record<string, unknown>[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
        for (const [list, item] of p.items) lists[list]?.push(item);
        return { ...lists, IsTruncated: p.next !== undefined, ...(p.next ? { Marker: p.next } : {}) };
      }
      case 'ListRoles': {
        const roles = d.RoleDetailList.map((r) => ({
          Path: r['Path'],
          RoleName: r['RoleName'],
          RoleId: r['RoleId'],
          Arn: r['Arn'],
          CreateDate: r['CreateDate'],
          AssumeRolePolicyDocument: r['AssumeRolePolicyDocument'],
          MaxSessionDuration: account.maxSessionDuration?.[String(r['RoleName'])] ?? 3600,
        }));
        const p = page(roles, params['Marker'], iamPageSize(params));
        return { Roles: p.items, IsTruncated: p.next !== undefined, ...(p.next ? { Marker: p.next } : {}) };
      }
      case 'GenerateServiceLastAccessedDetails': {
        const arn = params['Arn'] ?? '';
        if (!principalArns(account).has(arn)) throw new FakeError(404, 'NoSuchEntity', `The entity ${arn} does not exist.`);
        const id = `job-${jobs.size + 1}-${arn.length}`;
        jobs.set(id, { arn, account, pollsLeft: options.lastAccessedPolls ?? 1, created: new Date(Date.UTC(2026, 10, 1)).toISOString() });
        return { JobId: id };
      }
      case 'GetServiceLastAccessedDetails': {
        const job = jobs.get(params['JobId'] ?? '');
        if (!job || job.account !== account) throw new FakeError(404, 'NoSuchEntity', 'No such job');
        const header = { JobType: 'ACTION_LEVEL', JobCreationDate: job.created };
        if (job.pollsLeft > 0) {
          job.pollsLeft--;
          return { JobStatus: 'IN_PROGRESS', ...header, ServicesLastAccessed: [], IsTruncated: false };
        }
        const services = account.lastAccessed?.[job.arn] ?? [];
        const p = page(services, params['Marker'], iamPageSize(params));
        return {
          JobStatus: 'COMPLETED',
          ...header,
          ServicesLastAccessed: p.items,
          JobCompletionDate: job.created,
          IsTruncated: p.next !== undefined,
          ...(p.next ? { Marker: p.next } : {}),
        };
      }
      default:
        throw new FakeError(400, 'InvalidAction', `Could not find operation ${op} for version 2010-05-08`);
    }
  }

  function sts(op: string, params: Record<string, string>, caller: { account: FakeAccount; arn: string; userId: string }): unknown {
    if (op === 'GetCallerIdentity') return { Arn: caller.arn, UserId: caller.userId, Account: caller.account.accountId };
    if (op === 'AssumeRole') {
      const roleArn = params['RoleArn'] ?? '';
      const target = byId.get(/^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? '');
      const rule = target?.assumableRoles?.[roleArn];
      if (!target || !rule) throw new FakeError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
      if (rule.externalId !== undefined && rule.externalId !== params['ExternalId']) {
        throw new FakeError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
      }
      const session = params['RoleSessionName'] ?? 'session';
      const key = `ASIAFAKE${target.accountId}${++issued}`;
      const arn = `arn:aws:sts::${target.accountId}:assumed-role/${roleArn.split('/').pop()}/${session}`;
      keys.set(key, { account: target, arn, userId: `AROAFAKE:${session}` });
      return {
        Credentials: { AccessKeyId: key, SecretAccessKey: 'fake-temporary-secret', SessionToken: `fake-session-${issued}`, Expiration: new Date(Date.now() + 3_600_000).toISOString() },
        AssumedRoleUser: { AssumedRoleId: `AROAFAKE:${session}`, Arn: arn },
      };
    }
    throw new FakeError(400, 'InvalidAction', `Could not find operation ${op} for version 2011-06-15`);
  }

  function cloudtrail(op: string, body: Record<string, unknown>, account: FakeAccount, region: string): unknown {
    if (op !== 'LookupEvents') throw new FakeError(400, 'UnknownOperationException', op);
    const start = typeof body['StartTime'] === 'number' ? body['StartTime'] * 1000 : -Infinity;
    const end = typeof body['EndTime'] === 'number' ? body['EndTime'] * 1000 : Infinity;
    const attrs = Array.isArray(body['LookupAttributes']) ? (body['LookupAttributes'] as { AttributeKey?: string; AttributeValue?: string }[]) : [];
    // CloudTrail's rule: "Currently the list can contain only one item."
    if (attrs.length > 1) throw new FakeError(400, 'InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const attr = attrs[0];
    if (attr && !['Username', 'EventName', 'EventSource', 'ResourceName'].includes(String(attr.AttributeKey))) throw new FakeError(400, 'InvalidLookupAttributesException', `the fake does not look up by ${attr.AttributeKey}`);
    const matches = (r: CloudTrailRecordLike): boolean => {
      if (options.cloudTrailRegional && lookupRegionOf(r) !== region) return false;
      if (!attr) return true;
      // ResourceName: one of the resources the event names (an AssumeRole event names the role's ARN).
      if (attr.AttributeKey === 'ResourceName') return eventResources(r).some((x) => x.ResourceName === attr.AttributeValue);
      const value = attr.AttributeKey === 'Username' ? lookupUsername(r) : attr.AttributeKey === 'EventName' ? r.eventName : r.eventSource;
      return value === attr.AttributeValue;
    };
    const records = (account.cloudTrailRecords ?? [])
      .filter(matches)
      .map((r) => ({ r, t: Date.parse(r.eventTime) }))
      .filter(({ t }) => t >= start && t <= end)
      .sort((a, b) => b.t - a.t); // newest first, as LookupEvents returns them
    const size = Math.min(Number(body['MaxResults'] ?? 50), options.cloudTrailPageSize ?? 50, 50);
    const p = page(records, typeof body['NextToken'] === 'string' ? body['NextToken'] : undefined, size);
    return {
      Events: p.items.map(({ r, t }, i) => ({
        EventId: r.eventID ?? `event-${t}-${i}`,
        EventName: r.eventName,
        ReadOnly: String(r['readOnly'] ?? 'true'),
        EventTime: t / 1000,
        EventSource: r.eventSource,
        ...(lookupUsername(r) !== undefined ? { Username: lookupUsername(r) } : {}),
        Resources: eventResources(r),
        CloudTrailEvent: JSON.stringify(r),
      })),
      ...(p.next ? { NextToken: p.next } : {}),
    };
  }

  function organizations(op: string, body: Record<string, unknown>, account: FakeAccount): unknown {
    const org = account.organization;
    if (!org) throw new FakeError(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    switch (op) {
      case 'ListParents': {
        const parent = org.parents[String(body['ChildId'])];
        if (!parent) throw new FakeError(400, 'ChildNotFoundException', 'We can\u2019t find an organizational unit (OU) or AWS account with the ChildId that you specified.');
        return { Parents: [{ Id: parent.id, Type: parent.type }] };
      }
      case 'ListPoliciesForTarget': {
        const ids = org.attachments[String(body['TargetId'])] ?? [];
        const summaries = ids
          .map((id) => org.policies.find((p) => p.id === id))
          .filter((p) => p !== undefined)
          .map((p) => ({ Id: p.id, Arn: p.arn, Name: p.name, Description: '', Type: 'SERVICE_CONTROL_POLICY', AwsManaged: p.awsManaged ?? false }));
        const p = page(summaries, typeof body['NextToken'] === 'string' ? body['NextToken'] : undefined, 2);
        return { Policies: p.items, ...(p.next ? { NextToken: p.next } : {}) };
      }
      case 'DescribePolicy': {
        const p = org.policies.find((x) => x.id === body['PolicyId']);
        if (!p) throw new FakeError(400, 'PolicyNotFoundException', 'We can\u2019t find a policy with the PolicyId that you specified.');
        return {
          Policy: {
            PolicySummary: { Id: p.id, Arn: p.arn, Name: p.name, Description: '', Type: 'SERVICE_CONTROL_POLICY', AwsManaged: p.awsManaged ?? false },
            Content: JSON.stringify(p.document),
          },
        };
      }
      default:
        throw new FakeError(400, 'UnknownOperationException', op);
    }
  }

  function account(op: string, params: Record<string, unknown>): unknown {
    const pages = options.listRegionsPages;
    if (op !== 'ListRegions' || !pages) throw new FakeError(404, 'UnknownOperationException', op);
    const at = typeof params['NextToken'] === 'string' ? Number(/^page-(\d+)$/.exec(params['NextToken'])?.[1] ?? NaN) : 0;
    if (!Number.isInteger(at) || at >= pages.length) throw new FakeError(400, 'ValidationException', 'bad NextToken');
    return { Regions: pages[at]!.map((name) => ({ RegionName: name, RegionOptStatus: 'ENABLED' })), ...(at + 1 < pages.length ? { NextToken: `page-${at + 1}` } : {}) };
  }

  function faultFor(operation: string, account: FakeAccount | undefined, region = ''): FakeError | undefined {
    if (options.denyRegions?.includes(region)) return new FakeError(403, 'AccessDenied', `User: ${account?.callerArn ?? 'unknown'} is not authorized to perform: ${operation} with an explicit deny in a service control policy`);
    if (options.seed !== seenSeed) {
      rand = mulberry32(options.seed ?? 1);
      seenSeed = options.seed;
    }
    if (options.deny?.includes(operation) || account?.deny?.includes(operation)) {
      return new FakeError(403, 'AccessDenied', `User: ${account?.callerArn ?? 'unknown'} is not authorized to perform: ${operation} because no identity-based policy allows it`);
    }
    const r = rand();
    const throttle = options.throttleFraction ?? 0;
    if (r < throttle) return new FakeError(400, 'Throttling', 'Rate exceeded');
    if (r < throttle + (options.serverErrorFraction ?? 0)) return new FakeError(500, 'ServiceFailure', 'Internal failure');
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const auth = String(req.headers['authorization'] ?? '');
    const keyId = /Credential=([^/]+)\//.exec(auth)?.[1] ?? '';
    const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? '';
    const region = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(auth)?.[1] ?? '';
    const caller = keys.get(keyId);
    const target = String(req.headers['x-amz-target'] ?? '');
    let service: ReceivedRequest['service'];
    let operation: string;
    let params: Record<string, unknown>;
    if (target) {
      service = target.startsWith('CloudTrail_') ? 'cloudtrail' : target.startsWith('AWSOrganizations') ? 'organizations' : target.startsWith('SWBExternalService') ? 'sso-admin' : 'unknown';
      operation = target.split('.').pop() ?? '';
      params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } else if (scope === 'account') {
      // REST-JSON: the operation is the path (POST /listRegions), its input the JSON body.
      service = 'account';
      const path = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
      operation = path.charAt(0).toUpperCase() + path.slice(1);
      params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } else {
      const q = queryParams(body);
      params = q;
      operation = q['Action'] ?? '';
      service = scope === 'sts' ? 'sts' : scope === 'iam' ? 'iam' : 'unknown';
    }
    const json = Boolean(target) || service === 'account';
    const send = (status: number, payload: string): void => {
      requests.push({ service, operation, ...(caller ? { accountId: caller.account.accountId } : {}), ...(region ? { region } : {}), status, params });
      const write = (): void => {
        res.writeHead(status, { 'content-type': service === 'account' ? 'application/json' : json ? 'application/x-amz-json-1.1' : 'text/xml', 'x-amzn-requestid': `req-${requests.length}` });
        res.end(payload);
      };
      if (options.delayMs) setTimeout(write, options.delayMs);
      else write();
    };
    const sendError = (e: FakeError): void => {
      if (service === 'account') {
        // REST-JSON errors carry their type in a header too.
        res.setHeader('x-amzn-errortype', e.code === 'AccessDenied' ? 'AccessDeniedException' : e.code === 'Throttling' ? 'TooManyRequestsException' : e.code);
        send(e.status, JSON.stringify({ message: e.message }));
      } else if (json) send(e.status, JSON.stringify({ __type: e.code === 'AccessDenied' ? 'AccessDeniedException' : e.code === 'Throttling' ? 'ThrottlingException' : e.code, message: e.message }));
      else {
        const ns = service === 'sts' ? STS_NS : IAM_NS;
        send(e.status, `<ErrorResponse xmlns="${ns}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>req-${requests.length + 1}</RequestId></ErrorResponse>`);
      }
    };
    try {
      if (!caller) throw new FakeError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      const fault = faultFor(operation, caller.account, region);
      if (fault) throw fault;
      if (json) {
        // An account without IAM Identity Center: no instances, no permission sets.
        const out = service === 'account' ? account(operation, params) : service === 'cloudtrail' ? cloudtrail(operation, params, caller.account, region) : service === 'sso-admin' ? (operation === 'ListInstances' ? { Instances: [] } : { PermissionSets: [] }) : organizations(operation, params, caller.account);
        send(200, JSON.stringify(out));
      } else {
        const q = params as Record<string, string>;
        const out = service === 'sts' ? sts(operation, q, caller) : iam(operation, q, caller.account);
        const ns = service === 'sts' ? STS_NS : IAM_NS;
        send(200, `<${operation}Response xmlns="${ns}"><${operation}Result>${toXml(out)}</${operation}Result><ResponseMetadata><RequestId>req-${requests.length + 1}</RequestId></ResponseMetadata></${operation}Response>`);
      }
    } catch (e) {
      sendError(e instanceof FakeError ? e : new FakeError(500, 'InternalFailure', (e as Error).message));
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: baseKey, secretAccessKey: 'fake-secret-key' },
    requests,
    options,
    operations: () => requests.map((r) => r.operation),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Connection options that point leash's client factory at the fake, with explicit fake credentials. */
export function fakeConnection(fake: FakeAws, maxAttempts = 1): { region: string; endpointUrl: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number } {
  return { region: 'us-east-1', endpointUrl: fake.url, credentials: { ...fake.credentials }, maxAttempts };
}
