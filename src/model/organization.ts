// What a scan knows of the AWS Organization its accounts belong to: data for the request-context
// keys IAM fills in from the caller's account (aws:PrincipalOrgID, aws:PrincipalOrgPaths).

export interface OrganizationFacts {
  /** The organization id (o-…). */
  readonly id: string;
  /**
   * Accounts known to be members, by id. `ouPath`: the root's id and the OU ids from the root down
   * to the account's parent (`["r-ab12", "ou-ab12-11111111"]`), when the organization tree was read.
   */
  readonly members: Readonly<Record<string, { readonly ouPath?: readonly string[] }>>;
}

/**
 * What AWS Organizations said of one account's membership (organizations:DescribeOrganization from
 * the account itself), ids validated at the edge.
 */
export type Membership =
  | { readonly kind: 'member'; readonly organizationId: string; readonly managementAccountId: string }
  /** AWSOrganizationsNotInUseException: "Your account isn't a member of an organization." */
  | { readonly kind: 'none' };
