// The accounts of an AWS Organization, read-only: DescribeOrganization, ListAccounts (paginated),
// and — only when an OU filter is given — ListParents up each account's chain to the root (each
// OU's parent asked once). Include/exclude by account id and OU; inactive accounts are listed as
// skipped with the reason, never silently dropped.
import { DescribeOrganizationCommand, ListAccountsCommand, ListParentsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { ReadOnlyViolationError } from './allowlist.js';
import { errorMessage } from './errors.js';
import { ORG_ID } from '../../iam/organization.js';

export interface OrgAccount {
  readonly id: string;
  /** Account name as Organizations holds it: data, shown escaped, never used as a path. */
  readonly name: string;
  readonly status: string;
  /** OU ids from the root's child down to the account's parent (filled only with OU filters). */
  readonly ouPath?: readonly string[];
}

export interface OrgFilter {
  readonly includeAccounts?: readonly string[];
  readonly excludeAccounts?: readonly string[];
  /** An account is in when any OU on its path (or the root) is listed. */
  readonly includeOus?: readonly string[];
  readonly excludeOus?: readonly string[];
}

export interface OrgDiscovery {
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** Accounts to scan, in id order. */
  readonly accounts: readonly OrgAccount[];
  /** Accounts not scanned, and why (filtered out, suspended…). */
  readonly skipped: readonly { readonly id: string; readonly name: string; readonly reason: string }[];
  readonly calls: number;
}

export { OU_ID } from './org-ids.js';

export async function discoverOrganization(org: OrganizationsClient, filter: OrgFilter = {}): Promise<OrgDiscovery> {
  let calls = 1;
  const described = await org.send(new DescribeOrganizationCommand({}));
  // Untrusted text that becomes a directory name, a scan id and condition values: kept only in
  // its documented shape (o-…, 12 digits), else 'unknown' (nothing is decided from it).
  const id = described.Organization?.Id;
  const management = described.Organization?.MasterAccountId;
  const organizationId = typeof id === 'string' && ORG_ID.test(id) ? id : 'unknown';
  const managementAccountId = typeof management === 'string' && /^\d{12}$/.test(management) ? management : 'unknown';
  const all: OrgAccount[] = [];
  let token: string | undefined;
  do {
    calls++;
    const page = await org.send(new ListAccountsCommand({ ...(token ? { NextToken: token } : {}) }));
    for (const a of page.Accounts ?? []) {
      if (!a.Id || !/^\d{12}$/.test(a.Id)) continue;
      // State replaced Status in 2025; either may be present.
      const status = String((a as { State?: string }).State ?? a.Status ?? 'UNKNOWN');
      all.push({ id: a.Id, name: a.Name ?? '', status });
    }
    token = page.NextToken;
  } while (token);
  all.sort((a, b) => a.id.localeCompare(b.id));

  const parentOf = new Map<string, string | undefined>();
  const parent = async (child: string): Promise<string | undefined> => {
    if (parentOf.has(child)) return parentOf.get(child);
    calls++;
    const out = await org.send(new ListParentsCommand({ ChildId: child }));
    const p = out.Parents?.[0]?.Id;
    parentOf.set(child, p);
    return p;
  };
  const wantOus = (filter.includeOus?.length ?? 0) > 0 || (filter.excludeOus?.length ?? 0) > 0;
  const accounts: OrgAccount[] = [];
  const skipped: { id: string; name: string; reason: string }[] = [];
  for (const a of all) {
    if (filter.includeAccounts?.length && !filter.includeAccounts.includes(a.id)) {
      skipped.push({ id: a.id, name: a.name, reason: 'not in --include-accounts' });
      continue;
    }
    if (filter.excludeAccounts?.includes(a.id)) {
      skipped.push({ id: a.id, name: a.name, reason: 'in --exclude-accounts' });
      continue;
    }
    if (a.status !== 'ACTIVE') {
      skipped.push({ id: a.id, name: a.name, reason: `account status ${a.status}` });
      continue;
    }
    let ouPath: string[] | undefined;
    if (wantOus) {
      ouPath = [];
      try {
        for (let p = await parent(a.id), depth = 0; p !== undefined && depth < 10; p = p.startsWith('r-') ? undefined : await parent(p), depth++) ouPath.unshift(p);
      } catch (e) {
        if (e instanceof ReadOnlyViolationError) throw e;
        skipped.push({ id: a.id, name: a.name, reason: `organizational unit unknown (organizations:ListParents: ${errorMessage(e)})` });
        continue;
      }
      if (filter.includeOus?.length && !ouPath.some((ou) => filter.includeOus!.includes(ou))) {
        skipped.push({ id: a.id, name: a.name, reason: 'not under any OU of --include-ous' });
        continue;
      }
      const excludedBy = ouPath.find((ou) => filter.excludeOus?.includes(ou));
      if (excludedBy) {
        skipped.push({ id: a.id, name: a.name, reason: `under excluded OU ${excludedBy}` });
        continue;
      }
    }
    accounts.push(ouPath ? { ...a, ouPath } : a);
  }
  return { organizationId, managementAccountId, accounts, skipped, calls };
}
