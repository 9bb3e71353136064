// IAM in one paginated API round: GetAccountAuthorizationDetails, never one call per principal.
// The result has the shape `aws iam get-account-authorization-details` prints, so the live and
// the offline (`--input FILE`) paths share one normaliser.
import { GetAccountAuthorizationDetailsCommand, ListRolesCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { ScanError } from '../../model/errors.js';
import { essentialFailure, toScanError } from '../aws/errors.js';
import type { ProgressListener } from '../aws/progress.js';
import { decodePolicyDocument, plainJson } from '../aws/sdk-output.js';

type Json = Record<string, unknown>;

export interface AuthorizationDetails {
  UserDetailList: Json[];
  GroupDetailList: Json[];
  RoleDetailList: Json[];
  Policies: Json[];
}

export interface AuthorizationDetailsOptions {
  /** MaxItems per page; IAM allows up to 1000. */
  readonly pageSize?: number;
  readonly accountId?: string;
  readonly onProgress?: ProgressListener;
}

export interface AuthorizationDetailsResult {
  readonly details: AuthorizationDetails;
  readonly pages: number;
  readonly errors: ScanError[];
}

export const MAX_IAM_PAGE_SIZE = 1000;

const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

/**
 * Fields IAM types as policy documents. They turn up in more places than the obvious ones (e.g.
 * InstanceProfileList[].Roles[].AssumeRolePolicyDocument), so the walk looks everywhere, as the
 * AWS CLI does.
 */
const DOCUMENT_FIELDS = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Document']);

function decodeWalk(value: unknown, path: string, errors: ScanError[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => decodeWalk(v, `${path}[${i}]`, errors));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const holder = value as Json;
  for (const [key, v] of Object.entries(holder)) {
    if (DOCUMENT_FIELDS.has(key)) {
      // Never walk into a document: its condition keys are user data, not IAM's field names.
      if (typeof v !== 'string') continue;
      const decoded = decodePolicyDocument(v);
      if (decoded.ok) holder[key] = decoded.document;
      else errors.push({ source: 'authorization-details-api', code: 'invalid-input', message: `policy document is not ${decoded.expected}; left as returned`, path: `${path}.${key}` });
    } else if (v !== null && typeof v === 'object') {
      decodeWalk(v, `${path}.${key}`, errors);
    }
  }
}

/** Decode every document in place, reporting JSON paths for those that are not JSON. */
export function decodeAuthorizationDetails(details: AuthorizationDetails): ScanError[] {
  const errors: ScanError[] = [];
  for (const list of LISTS) decodeWalk(details[list], `$.${list}`, errors);
  return errors;
}

export async function fetchAuthorizationDetails(iam: IAMClient, opts: AuthorizationDetailsOptions = {}): Promise<AuthorizationDetailsResult> {
  const details: AuthorizationDetails = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  const pageSize = Math.min(opts.pageSize ?? MAX_IAM_PAGE_SIZE, MAX_IAM_PAGE_SIZE);
  const errors: ScanError[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    let out;
    try {
      out = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: pageSize, ...(marker ? { Marker: marker } : {}) }));
    } catch (e) {
      throw essentialFailure('iam:GetAccountAuthorizationDetails', e, opts.accountId);
    }
    pages++;
    const page = plainJson(out) as Json;
    for (const list of LISTS) {
      const items = page[list];
      if (Array.isArray(items)) details[list].push(...(items as Json[]));
    }
    const next = out.IsTruncated ? out.Marker : undefined;
    if (out.IsTruncated && !next) {
      errors.push({ source: 'authorization-details-api', code: 'internal', message: `page ${pages} said IsTruncated but gave no Marker; later pages are missing` });
    }
    marker = next;
    opts.onProgress?.({
      kind: 'iam-page',
      pages,
      principals: details.UserDetailList.length + details.RoleDetailList.length,
      policies: details.Policies.length,
    });
  } while (marker);
  errors.push(...decodeAuthorizationDetails(details));
  return { details, pages, errors };
}

/**
 * Authorization details omit MaxSessionDuration; ListRoles (paginated, not per role) has it.
 * Adds `MaxSessionDuration` to each RoleDetailList entry. Failure is a value: the field stays unknown.
 */
export async function addRoleMaxSessionDuration(iam: IAMClient, details: AuthorizationDetails, pageSize = MAX_IAM_PAGE_SIZE): Promise<{ calls: number; error?: ScanError }> {
  const byArn = new Map<string, number>();
  let marker: string | undefined;
  let calls = 0;
  try {
    do {
      const out = await iam.send(new ListRolesCommand({ MaxItems: Math.min(pageSize, MAX_IAM_PAGE_SIZE), ...(marker ? { Marker: marker } : {}) }));
      calls++;
      for (const r of out.Roles ?? []) if (r.Arn && r.MaxSessionDuration !== undefined) byArn.set(r.Arn, r.MaxSessionDuration);
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
  } catch (e) {
    return { calls, error: toScanError('authorization-details-api', 'iam:ListRoles (MaxSessionDuration left unknown)', e) };
  }
  for (const role of details.RoleDetailList) {
    const d = byArn.get(String(role['Arn']));
    if (d !== undefined) role['MaxSessionDuration'] = d;
  }
  return { calls };
}
