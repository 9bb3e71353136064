// The organization keys of a caller's request context, from what the scan knows of its account:
// the same for every principal of the account, so worked out once per account (not per caller).
import type { OrganizationFacts } from '../model/organization.js';

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

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
export function organizationValues(account: string, org: OrganizationFacts | undefined): Readonly<Record<string, readonly string[]>> | undefined {
  if (!org || !ORG_ID.test(org.id) || !Object.hasOwn(org.members, account)) return undefined;
  const path = org.members[account]!.ouPath;
  const known = path !== undefined && path.length > 0 && ROOT_ID.test(path[0]!) && path.slice(1).every((ou) => OU_ID.test(ou));
  return {
    'aws:principalorgid': [org.id],
    ...(known ? { 'aws:principalorgpaths': [`${org.id}/${path.join('/')}/`] } : {}),
  };
}
