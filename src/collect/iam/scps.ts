// Service control policies that bound an account: walk account → OUs → root with ListParents,
// then ListPoliciesForTarget and DescribePolicy per target. Needs the management account or a
// delegated administrator; from a member account this is "unavailable", not an empty set.
import { DescribePolicyCommand, ListParentsCommand, ListPoliciesForTargetCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import { errorCode, toScanError } from '../aws/errors.js';
import type { ProgressListener } from '../aws/progress.js';

export interface ScpPolicy {
  readonly arn: string;
  readonly name: string;
  readonly document: unknown;
}

export interface ScpTarget {
  /** Root id, OU id or the account id. */
  readonly targetId: string;
  readonly policies: ScpPolicy[];
}

export interface ScpResult {
  /** Outermost first (root, OUs, account): each level must allow a call for it to be allowed. */
  readonly scps?: ScpTarget[];
  readonly source: SourceInfo;
  readonly errors: ScanError[];
}

/** Organizations nests OUs at most five deep; the bound only guards against a cycle in bad data. */
const MAX_DEPTH = 10;

async function targetsOf(org: OrganizationsClient, accountId: string): Promise<string[]> {
  const chain = [accountId];
  let child = accountId;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const out = await org.send(new ListParentsCommand({ ChildId: child }));
    const parent = out.Parents?.[0];
    if (!parent?.Id) break;
    chain.push(parent.Id);
    if (parent.Type === 'ROOT') break;
    child = parent.Id;
  }
  return chain.reverse();
}

export async function fetchScps(org: OrganizationsClient, accountId: string, onProgress?: ProgressListener): Promise<ScpResult> {
  return fetchOrganizationPolicies(org, accountId, 'SERVICE_CONTROL_POLICY', onProgress);
}

/** Resource control policies (RCPs) bound resources as SCPs bound principals: the same walk. */
export async function fetchRcps(org: OrganizationsClient, accountId: string, onProgress?: ProgressListener): Promise<ScpResult> {
  return fetchOrganizationPolicies(org, accountId, 'RESOURCE_CONTROL_POLICY', onProgress);
}

async function fetchOrganizationPolicies(org: OrganizationsClient, accountId: string, filter: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY', onProgress?: ProgressListener): Promise<ScpResult> {
  const kind = filter === 'SERVICE_CONTROL_POLICY' ? 'organizations-scp' : 'organizations-rcp';
  const label = filter === 'SERVICE_CONTROL_POLICY' ? 'SCP' : 'RCP';
  const location = `organizations (account ${accountId})`;
  const errors: ScanError[] = [];
  const documents = new Map<string, ScpPolicy>();
  try {
    const targets = await targetsOf(org, accountId);
    const scps: ScpTarget[] = [];
    for (const targetId of targets) {
      const policies: ScpPolicy[] = [];
      let token: string | undefined;
      do {
        const out = await org.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: filter, ...(token ? { NextToken: token } : {}) }));
        for (const summary of out.Policies ?? []) {
          if (!summary.Id) continue;
          let policy = documents.get(summary.Id);
          if (!policy) {
            const described = await org.send(new DescribePolicyCommand({ PolicyId: summary.Id }));
            const content = described.Policy?.Content ?? '';
            let document: unknown = content;
            try {
              document = JSON.parse(content);
            } catch {
              errors.push({ source: kind, code: 'invalid-input', message: `${label} ${summary.Id}: Content is not JSON; kept as text`, location });
            }
            policy = { arn: summary.Arn ?? described.Policy?.PolicySummary?.Arn ?? summary.Id, name: summary.Name ?? summary.Id, document };
            documents.set(summary.Id, policy);
          }
          policies.push(policy);
        }
        token = out.NextToken;
      } while (token);
      scps.push({ targetId, policies });
      if (kind === 'organizations-scp') onProgress?.({ kind: 'scps', targets: scps.length, policies: documents.size });
    }
    return { scps, errors, source: { kind, location, status: 'ok', counts: { targets: scps.length, policies: documents.size } } };
  } catch (e) {
    const error = toScanError(kind, 'organizations', e, location);
    const hint =
      error.code === 'access-denied' ? ` (${label}s are readable from the management account or a delegated administrator)` : errorCode(e) === 'not-found' ? ' (the account is not in an organization, or the target is unknown)' : '';
    errors.push({ ...error, message: error.message + hint });
    return { errors, source: { kind, location, status: 'unavailable', detail: error.message + hint } };
  }
}
