// The scanned account's own organization, asked once in a live scan of one account:
// organizations:DescribeOrganization "can be called from any account in the organization"
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganization.html), so
// a member account learns the id its principals carry as aws:PrincipalOrgID. Optional: refused or
// failed, the organization stays unknown, and the scan goes on with the reason in its errors.
import { DescribeOrganizationCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { z } from 'zod';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import type { Membership } from '../../model/organization.js';
import { ORG_ID } from '../../iam/organization.js';
import { errorName, toScanError } from './errors.js';


export interface OwnOrganizationResult {
  /** Absent when the call failed or its answer was dropped: unknown. */
  readonly membership?: Membership;
  readonly source: SourceInfo;
  readonly errors: ScanError[];
}

// Only the two fields leash uses, each by its documented shape; anything else in the answer is ignored.
const ANSWER = z.object({
  Organization: z.object({
    Id: z.string().regex(ORG_ID),
    MasterAccountId: z.string().regex(/^\d{12}$/),
  }),
});

const UNKNOWN = 'aws:PrincipalOrgID and aws:PrincipalOrgPaths stay unknown (config resources.organizationId states the organization)';

export async function describeOwnOrganization(org: OrganizationsClient, accountId: string): Promise<OwnOrganizationResult> {
  const location = `organizations (account ${accountId})`;
  let out: unknown;
  try {
    out = await org.send(new DescribeOrganizationCommand({}));
  } catch (e) {
    if (errorName(e) === 'AWSOrganizationsNotInUseException') {
      return { membership: { kind: 'none' }, errors: [], source: { kind: 'organizations-membership', location, status: 'ok', detail: 'the account is not a member of an organization (AWSOrganizationsNotInUseException)' } };
    }
    // Refused, throttled past the retries, or anything else: unknown, as without this read. The
    // source is "skipped" (leash went on without it, as it would had nobody asked), not "unavailable":
    // nobody asked for it, so it must not turn the scan's exit code into 2.
    const error = toScanError('organizations-membership', 'organizations:DescribeOrganization', e, location);
    return { errors: [{ ...error, message: `${error.message}; ${UNKNOWN}` }], source: { kind: 'organizations-membership', location, status: 'skipped', detail: `${error.message}; ${UNKNOWN}` } };
  }
  const parsed = ANSWER.safeParse(out);
  if (!parsed.success) {
    // Which fields, never their values: the answer is untrusted text (a proxy, an emulator, a bug).
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    const message = `organizations:DescribeOrganization answered with ${fields || 'a body'} not of the documented shape (an organization id o-…, a 12-digit management account id): answer dropped; ${UNKNOWN}`;
    return { errors: [{ source: 'organizations-membership', code: 'invalid-input', message, location }], source: { kind: 'organizations-membership', location, status: 'unavailable', detail: message } };
  }
  const { Id, MasterAccountId } = parsed.data.Organization;
  return {
    membership: { kind: 'member', organizationId: Id, managementAccountId: MasterAccountId },
    errors: [],
    source: { kind: 'organizations-membership', location, status: 'ok', detail: `member of organization ${Id} (management account ${MasterAccountId})` },
  };
}
