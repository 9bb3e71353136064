// `scan --org`: SCPs and RCPs read ONCE through the management account's Organizations client
// (the read-only factory's), then handed to each member account by the organization tree: a
// policy attached to the root, an OU or the account itself bounds the account (inheritance).
// Asking each member account's scanner role instead is denied there (only the management
// account or a delegated administrator may read policies), which turned every account's SCPs and
// RCPs into "unavailable". Parents, attachments and documents are cached as promises: accounts
// scanned at once share the calls, an OU's parent and a policy's document are asked once.
// Calls: ListParents, ListPoliciesForTarget, DescribePolicy (already on the allowlist for SCPs).
import { DescribePolicyCommand, ListParentsCommand, ListPoliciesForTargetCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { ScanError, SourceKind } from '../../model/errors.js';
import { errorCode, toScanError } from './errors.js';
import type { ScpPolicy, ScpResult, ScpTarget } from '../iam/scps.js';

export type OrgPolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/** Organizations nests OUs at most five deep; the bound only guards against a cycle in bad data. */
const MAX_DEPTH = 10;

export interface OrganizationPolicies {
  /** The policies that bound one member account, outermost first (root, OUs, the account). */
  forAccount(accountId: string, type: OrgPolicyType): Promise<ScpResult>;
  /** Organizations calls made so far (for the organization report's sources). */
  readonly calls: () => number;
}

export function organizationPolicies(org: OrganizationsClient, managementAccountId: string): OrganizationPolicies {
  let calls = 0;
  const send: OrganizationsClient['send'] = ((cmd: never) => {
    calls++;
    return org.send(cmd);
  }) as OrganizationsClient['send'];
  const parents = new Map<string, Promise<{ id: string; root: boolean } | undefined>>();
  const attached = new Map<string, Promise<ScpPolicy[]>>();
  const documents = new Map<string, Promise<ScpPolicy>>();
  /** Policies whose Content is not JSON: kept as text (the parser rejects them where used), said per account. */
  const notJson = new Set<string>();

  const parentOf = (child: string) => {
    let p = parents.get(child);
    if (!p) {
      p = send(new ListParentsCommand({ ChildId: child })).then((out) => {
        const parent = out.Parents?.[0];
        return parent?.Id ? { id: parent.Id, root: parent.Type === 'ROOT' } : undefined;
      });
      parents.set(child, p);
    }
    return p;
  };
  /** account → its OUs → root, outermost first. */
  const chainOf = async (accountId: string): Promise<string[]> => {
    const chain = [accountId];
    let child = accountId;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const parent = await parentOf(child);
      if (!parent) break;
      chain.push(parent.id);
      if (parent.root) break;
      child = parent.id;
    }
    return chain.reverse();
  };
  const describe = (id: string, arn: string | undefined, name: string | undefined) => {
    let d = documents.get(id);
    if (!d) {
      d = send(new DescribePolicyCommand({ PolicyId: id })).then((described) => {
        const content = described.Policy?.Content ?? '';
        const policy = { arn: arn ?? described.Policy?.PolicySummary?.Arn ?? id, name: name ?? described.Policy?.PolicySummary?.Name ?? id, document: content as unknown };
        try {
          policy.document = JSON.parse(content);
        } catch {
          notJson.add(policy.arn);
        }
        return policy;
      });
      documents.set(id, d);
    }
    return d;
  };
  const policiesOf = (target: string, type: OrgPolicyType) => {
    const key = `${type} ${target}`;
    let p = attached.get(key);
    if (!p) {
      p = (async () => {
        const out: ScpPolicy[] = [];
        let token: string | undefined;
        do {
          const page = await send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: type, ...(token ? { NextToken: token } : {}) }));
          for (const s of page.Policies ?? []) {
            if (!s.Id) continue;
            out.push(await describe(s.Id, s.Arn, s.Name));
          }
          token = page.NextToken;
        } while (token);
        return out;
      })();
      attached.set(key, p);
    }
    return p;
  };

  return {
    calls: () => calls,
    async forAccount(accountId, type) {
      const kind: SourceKind = type === 'SERVICE_CONTROL_POLICY' ? 'organizations-scp' : 'organizations-rcp';
      const label = type === 'SERVICE_CONTROL_POLICY' ? 'SCP' : 'RCP';
      const location = `organizations (management account ${managementAccountId}, for account ${accountId})`;
      const errors: ScanError[] = [];
      try {
        const chain = await chainOf(accountId);
        const levels: ScpTarget[] = [];
        for (const targetId of chain) levels.push({ targetId, policies: await policiesOf(targetId, type) });
        for (const arn of new Set(levels.flatMap((l) => l.policies.map((x) => x.arn)))) if (notJson.has(arn)) errors.push({ source: kind, code: 'invalid-input', message: `${label} ${arn}: Content is not JSON; kept as text`, location });
        const count = new Set(levels.flatMap((l) => l.policies.map((p) => p.arn))).size;
        return {
          scps: levels,
          errors,
          source: { kind, location, status: 'ok', detail: `${label}s read once through the management account ${managementAccountId}, inherited by this account from ${chain.length - 1 === 0 ? 'itself' : `the root${chain.length > 2 ? ` and ${chain.length - 2} OU(s)` : ''}`}`, counts: { targets: levels.length, policies: count } },
        };
      } catch (e) {
        const error = toScanError(kind, 'organizations', e, location);
        const hint = error.code === 'access-denied' ? ` (${label}s are readable from the management account or a delegated administrator; the scan goes on without them)` : errorCode(e) === 'not-found' ? ' (the account is not in this organization)' : '';
        errors.push({ ...error, message: error.message + hint });
        return { errors, source: { kind, location, status: 'unavailable', detail: error.message + hint } };
      }
    },
  };
}
