// A live scan of one account: who we are, all of IAM in one paginated round, then the optional
// usage and guardrail sources. Optional sources fail as values; the essential two throw.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ScanError, SourceInfo, SourceKind } from '../../model/errors.js';
import { addRoleMaxSessionDuration, fetchAuthorizationDetails, type AuthorizationDetails } from '../iam/authorization-details-live.js';
import { lookupCloudTrailEventsInRegions, lookupRegions, type CloudTrailLookupOptions, type CloudTrailLookupResult } from '../cloudtrail/sources/lookup-events.js';
import { createAwsClients, type AwsClients, type AwsConnectionOptions } from './client-factory.js';
import { essentialFailure } from './errors.js';
import { fetchServiceLastAccessed, type LastAccessedOptions } from '../iam/last-accessed-live.js';
import type { ProgressListener } from './progress.js';
import { fetchScps, type ScpTarget } from '../iam/scps.js';
import { fetchIdentityCenter } from '../iam/identity-center.js';
import type { IdentityCenterInfo } from '../../model/snapshot.js';
import type { ResourceInventory } from '../../model/inventory.js';
import { collectLiveInventory } from '../inventory/live.js';
import { describeOwnOrganization } from './own-organization.js';
import type { Membership } from '../../model/organization.js';

export interface LastAccessedRequest extends Omit<LastAccessedOptions, 'principalArns'> {
  /** ARNs, or a choice made once IAM is known (e.g. every role that looks like an agent). */
  readonly principalArns: readonly string[] | ((details: AuthorizationDetails) => readonly string[]);
}

export interface CollectAwsOptions extends AwsConnectionOptions {
  /** Use these clients (they must come from createAwsClients) instead of making new ones. */
  readonly clients?: AwsClients;
  /** MaxItems for IAM pages (≤ 1000, the default). */
  readonly pageSize?: number;
  /** Fill RoleDetailList[].MaxSessionDuration from ListRoles (paginated). Default true. */
  readonly roleMaxSessionDuration?: boolean;
  readonly lastAccessed?: LastAccessedRequest;
  readonly cloudTrail?: CloudTrailLookupOptions;
  /** LookupEvents in these regions besides the client's (and us-east-1's global service events: lookupRegions). */
  readonly cloudTrailRegions?: readonly string[];
  readonly scps?: boolean;
  /** Read Identity Center permission sets when the account has AWSReservedSSO_* roles (default true). */
  readonly identityCenter?: boolean;
  /** The resource inventory (`--resources`): these regions; RCPs too when `rcps`. */
  readonly inventory?: { readonly regions: readonly string[]; readonly rcps?: boolean; readonly concurrency?: number };
  /**
   * Ask organizations:DescribeOrganization which organization the account is in (a live scan of one
   * account; an --org scan knows it from discovery). Optional: refused, the organization stays unknown.
   */
  readonly organization?: boolean;
  readonly onProgress?: ProgressListener;
}

export interface AwsCollection {
  readonly accountId: string;
  readonly callerArn: string;
  /** The `aws iam get-account-authorization-details` shape: documents decoded to objects, dates ISO. */
  readonly authorizationDetails: AuthorizationDetails;
  /** principal ARN → GetServiceLastAccessedDetails output (ACTION_LEVEL, pages merged). */
  readonly lastAccessed?: Record<string, unknown>;
  /** Parsed CloudTrailEvent objects, newest first within each region read. */
  readonly cloudTrailRecords?: unknown[];
  /** Outermost first: root, OUs, then the account. */
  readonly scps?: ScpTarget[];
  /** The Identity Center instance and the permission sets behind the account's AWSReservedSSO_* roles. */
  readonly identityCenter?: IdentityCenterInfo;
  /** Resources and their resource-based policies, when asked for (sources and errors are in it, not repeated below). */
  readonly inventory?: ResourceInventory;
  /** The account's organization as DescribeOrganization gave it (validated), when asked and answered. */
  readonly membership?: Membership;
  readonly sources: SourceInfo[];
  readonly errors: ScanError[];
}

function skipped(kind: SourceKind, location: string): SourceInfo {
  return { kind, location, status: 'skipped', detail: 'not requested' };
}

/**
 * LookupEvents in the client's region, the regions asked for, and where global service events
 * are looked up: one region alone misses IAM and STS calls (an escalation's) or the other regions'.
 */
export async function lookupLive(clients: AwsClients, lookup: CloudTrailLookupOptions, extra: readonly string[], onProgress: ProgressListener | undefined, location: string): Promise<CloudTrailLookupResult> {
  const home = await clients.cloudtrail.config.region();
  const regions = lookupRegions([home, ...extra]);
  return lookupCloudTrailEventsInRegions((r) => (r === home ? clients.cloudtrail : clients.regional(r).cloudtrail), regions, lookup, onProgress, location);
}

export async function collectAws(opts: CollectAwsOptions = {}): Promise<AwsCollection> {
  const clients = opts.clients ?? createAwsClients(opts);
  try {
    return await collectWith(clients, opts);
  } finally {
    if (!opts.clients) clients.destroy();
  }
}

async function collectWith(clients: AwsClients, opts: CollectAwsOptions): Promise<AwsCollection> {
  let identity;
  try {
    identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  } catch (e) {
    throw essentialFailure('sts:GetCallerIdentity', e);
  }
  const accountId = identity.Account ?? '';
  const callerArn = identity.Arn ?? '';
  opts.onProgress?.({ kind: 'caller', accountId });

  const iam = await fetchAuthorizationDetails(clients.iam, { accountId, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const details = iam.details;
  const errors: ScanError[] = [...iam.errors];
  const iamCounts: Record<string, number> = {
    pages: iam.pages,
    users: details.UserDetailList.length,
    groups: details.GroupDetailList.length,
    roles: details.RoleDetailList.length,
    policies: details.Policies.length,
  };
  let iamDetail: string | undefined;
  if (opts.roleMaxSessionDuration ?? true) {
    const r = await addRoleMaxSessionDuration(clients.iam, details, opts.pageSize);
    iamCounts['listRolesPages'] = r.calls;
    if (r.error) {
      errors.push(r.error);
      iamDetail = 'MaxSessionDuration unknown (iam:ListRoles failed)';
    }
  }
  const sources: SourceInfo[] = [
    {
      kind: 'authorization-details-api',
      location: `account ${accountId}`,
      status: iam.errors.length === 0 ? 'ok' : 'partial',
      ...(iamDetail ? { detail: iamDetail } : {}),
      counts: iamCounts,
    },
  ];

  const [lastAccessed, cloudTrail, scps, own] = await Promise.all([
    opts.lastAccessed
      ? fetchServiceLastAccessed(
          clients.iam,
          { ...opts.lastAccessed, principalArns: typeof opts.lastAccessed.principalArns === 'function' ? opts.lastAccessed.principalArns(details) : opts.lastAccessed.principalArns },
          opts.onProgress,
          `account ${accountId}`,
        )
      : undefined,
    opts.cloudTrail ? lookupLive(clients, opts.cloudTrail, opts.cloudTrailRegions ?? [], opts.onProgress, `account ${accountId}`) : undefined,
    opts.scps ? fetchScps(clients.organizations, accountId, opts.onProgress) : undefined,
    opts.organization ? describeOwnOrganization(clients.organizations, accountId) : undefined,
  ]);
  // Fixes to AWSReservedSSO_* roles target their permission sets: read those ARNs (read-only).
  const ssoNames = [...new Set(details.RoleDetailList.map((r) => /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(String(r.RoleName ?? ''))?.[1]).filter((n): n is string => n !== undefined))];
  const ic = opts.identityCenter !== false && ssoNames.length > 0 ? await fetchIdentityCenter(clients.ssoAdmin, ssoNames) : undefined;
  if (ic) { sources.push(ic.source); errors.push(...ic.errors); }
  const inventory = opts.inventory
    ? await collectLiveInventory(clients, {
        accountId,
        regions: opts.inventory.regions,
        partition: /^arn:([^:]+):/.exec(callerArn)?.[1] ?? 'aws',
        ...(opts.inventory.rcps ? { rcps: true } : {}),
        ...(opts.inventory.concurrency ? { concurrency: opts.inventory.concurrency } : {}),
        ...(opts.onProgress ? { onProgress: (done: number, total: number) => opts.onProgress!({ kind: 'inventory', done, total }) } : {}),
      })
    : undefined;
  sources.push(lastAccessed?.source ?? skipped('service-last-accessed', `account ${accountId}`));
  sources.push(cloudTrail?.source ?? skipped('cloudtrail-api', `account ${accountId}`));
  sources.push(scps?.source ?? skipped('organizations-scp', `account ${accountId}`));
  errors.push(...(lastAccessed?.errors ?? []), ...(cloudTrail?.errors ?? []), ...(scps?.errors ?? []));
  if (own) { sources.push(own.source); errors.push(...own.errors); }

  return {
    accountId,
    callerArn,
    authorizationDetails: details,
    ...(lastAccessed ? { lastAccessed: lastAccessed.lastAccessed } : {}),
    ...(cloudTrail ? { cloudTrailRecords: cloudTrail.records } : {}),
    ...(scps?.scps ? { scps: scps.scps } : {}),
    ...(ic?.info ? { identityCenter: ic.info } : {}),
    ...(inventory ? { inventory } : {}),
    ...(own?.membership ? { membership: own.membership } : {}),
    sources,
    errors,
  };
}
