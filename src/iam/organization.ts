// The organization keys of a caller's request context, from what the scan knows of its account:
// the same for every principal of the account, so worked out once per account (not per caller).
// One source for every stage: effective permissions (identity policies, boundaries, SCPs), the
// access graph's trust and caller decisions, the resource side and the trust check.
import type { Membership, OrganizationFacts } from '../model/organization.js';
import type { Snapshot } from '../model/snapshot.js';

export const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/**
 * aws:PrincipalOrgID / aws:PrincipalOrgPaths (lower case) of an account's principals. A key with an
 * empty list is absent from their requests (NO_ORGANIZATION), as conditions.ts reads an empty list.
 */
export type OrgValues = Readonly<Record<string, readonly string[]>>;

/**
 * The organization keys of a principal whose account is in no organization: both absent. AWS
 * (reference_policies_condition-keys.html, aws:PrincipalOrgID): "This key is included in the
 * request context only if the principal is a member of an organization"; so a StringEquals on it
 * fails, a StringNotEquals holds, ...IfExists holds, Null true holds.
 */
export const NO_ORGANIZATION: OrgValues = Object.freeze({ 'aws:principalorgid': Object.freeze([]), 'aws:principalorgpaths': Object.freeze([]) });

/**
 * aws:PrincipalOrgID and aws:PrincipalOrgPaths of a principal of `account`, or undefined when the
 * scan does not know the account to be a member (then both keys stay unknown, never absent: an
 * account outside every organization has neither key, one of another organization another value).
 * AWS (reference_policies_condition-keys.html): aws:PrincipalOrgID "Availability – This key is
 * included in the request context only if the principal is a member of an organization", and
 * holds the organization's id; aws:PrincipalOrgPaths is "the AWS Organizations path for the
 * principal who is making the request", multivalued, a path such as
 * `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/` (organization, root, OUs down to the
 * account's parent, a trailing slash). The path is given only when the tree was read from the root.
 */
export function organizationValues(account: string, org: OrganizationFacts | undefined): OrgValues | undefined {
  if (!org || !ORG_ID.test(org.id) || !Object.hasOwn(org.members, account)) return undefined;
  const path = org.members[account]!.ouPath;
  const known = path !== undefined && path.length > 0 && ROOT_ID.test(path[0]!) && path.slice(1).every((ou) => OU_ID.test(ou));
  return {
    'aws:principalorgid': [org.id],
    ...(known ? { 'aws:principalorgpaths': [`${org.id}/${path.join('/')}/`] } : {}),
  };
}

/**
 * config `resources.organizationId`: the organization the scanned accounts belong to (each a
 * member, OU paths unknown).
 */
export function configuredOrganization(id: string | undefined, accounts: readonly string[]): OrganizationFacts | undefined {
  return id ? { id, members: Object.fromEntries(accounts.map((a) => [a, {}])) } : undefined;
}

/** What an `--org` scan read for the account, else the configured organization (the graph's order too). */
export function accountOrganization(account: string, discovered: OrganizationFacts | undefined, configured: OrganizationFacts | undefined): OrgValues | undefined {
  return organizationValues(account, discovered) ?? organizationValues(account, configured);
}

/**
 * The scanned account's organization values: its snapshot's (`--org`), else config
 * `resources.organizationId`, else absent when AWS said the account is in no organization.
 */
export function snapshotOrganization(snapshot: Pick<Snapshot, 'account' | 'organization' | 'noOrganization'>, configuredId: string | undefined): OrgValues | undefined {
  return snapshotAccountOrganization(snapshot, configuredOrganization(configuredId, [snapshot.account.id]));
}

/** The same, with the configured organization as facts (the graph's per-account values). */
export function snapshotAccountOrganization(snapshot: Pick<Snapshot, 'account' | 'organization' | 'noOrganization'>, configured: OrganizationFacts | undefined): OrgValues | undefined {
  return accountOrganization(snapshot.account.id, snapshot.organization, configured) ?? (snapshot.noOrganization ? NO_ORGANIZATION : undefined);
}

/** The organization id a scan knows for its account: the id, `null` when it is in none, undefined when not known. */
export function ownOrganizationId(org: OrgValues | undefined): string | null | undefined {
  const ids = org?.['aws:principalorgid'];
  return ids === undefined ? undefined : ids.length === 0 ? null : ids[0];
}

/** Same organization values (facts caches compare by content: each stage works them out once per account). */
export function sameOrgValues(a: OrgValues | undefined, b: OrgValues | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  // A missing key is unknown, an empty list absent: told apart.
  const eq = (k: string) => (a[k] === undefined ? b[k] === undefined : b[k] !== undefined && (a[k]![0] ?? null) === (b[k]![0] ?? null));
  return eq('aws:principalorgid') && eq('aws:principalorgpaths');
}

/** What a live scan of one account does with its organization as AWS names it (`ownOrganization`). */
export interface OwnOrganization {
  /** The snapshot's organization facts: only when config states none (config wins). */
  readonly facts?: OrganizationFacts;
  /** AWS says the account is in no organization and config states none (Snapshot.noOrganization). */
  readonly none?: true;
  /** How the answer was used, for the source's detail. */
  readonly use: string;
  /** A coverage note when config resources.organizationId contradicts AWS, naming both. */
  readonly note?: string;
}

/**
 * The account's membership as organizations:DescribeOrganization gave it, against config
 * `resources.organizationId`. Config wins (the operator may mean it); a contradiction is a note.
 * Learnt alone, the organization is what config would have said (each scanned account a member, OU
 * paths unknown), so every stage decides as it does with config. "Not a member" stays unknown:
 * AWS leaves aws:PrincipalOrgID out of such a principal's requests, but OrgValues has no "absent"
 * (undefined is unknown), and every stage reads it that way (docs/notes-s39-orgid.md).
 */
export function ownOrganization(account: string, membership: Membership, configuredId: string | undefined): OwnOrganization {
  if (membership.kind === 'none') {
    if (!configuredId) return { none: true, use: 'aws:PrincipalOrgID and aws:PrincipalOrgPaths are then absent from its principals\' requests, and conditions on them are decided so' };
    return {
      use: `config resources.organizationId (${configuredId}) used instead`,
      note: `config resources.organizationId is ${configuredId}, but AWS Organizations (DescribeOrganization) says account ${account} is not a member of an organization: the analysis uses ${configuredId}, as configured.`,
    };
  }
  const id = membership.organizationId;
  if (!configuredId) return { facts: configuredOrganization(id, [account])!, use: 'aws:PrincipalOrgID of the account\'s principals decided from it' };
  if (configuredId === id) return { use: 'agrees with config resources.organizationId' };
  return {
    use: `config resources.organizationId (${configuredId}) used instead`,
    note: `config resources.organizationId is ${configuredId}, but AWS Organizations (DescribeOrganization) says account ${account} is a member of ${id}: the analysis uses ${configuredId}, as configured.`,
  };
}
