// IAM Identity Center, read only: the instance ARN and the ARNs of the permission sets behind the
// account's AWSReservedSSO_<PermissionSet>_<hash> roles, so their fixes can name the permission
// set leash proposes to change. sso-admin ListInstances, ListPermissionSets, DescribePermissionSet
// (all on the allowlist). Identity Center lives in the management account (or a delegated
// administrator) and one region; refused from elsewhere it is "skipped" (the reason in errors), and fixes keep placeholders.
import { DescribePermissionSetCommand, ListInstancesCommand, ListPermissionSetsCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { ScanError, SourceInfo } from '../../model/errors.js';
import type { IdentityCenterInfo } from '../../model/snapshot.js';
import { errorCode, toScanError } from '../aws/errors.js';

export interface IdentityCenterResult {
  readonly info?: IdentityCenterInfo;
  readonly source: SourceInfo;
  readonly errors: ScanError[];
}

/** Permission sets described at most (each is one call); enough for any real instance's roles in one account. */
export const MAX_DESCRIBED = 500;

/** Read the instance and the permission sets whose names are wanted (stops describing once all are found). */
export async function fetchIdentityCenter(sso: SSOAdminClient, wantedNames: readonly string[]): Promise<IdentityCenterResult> {
  const location = 'sso-admin (IAM Identity Center)';
  const wanted = new Set(wantedNames);
  try {
    const instances = await sso.send(new ListInstancesCommand({}));
    const instanceArn = instances.Instances?.find((i) => i.InstanceArn)?.InstanceArn;
    if (!instanceArn) return { source: { kind: 'identity-center', location, status: 'skipped', detail: 'no Identity Center instance visible from these credentials and region' }, errors: [] };
    const found: { name: string; arn: string }[] = [];
    let described = 0;
    let token: string | undefined;
    outer: do {
      const page = await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, ...(token ? { NextToken: token } : {}) }));
      for (const arn of page.PermissionSets ?? []) {
        if (found.length === wanted.size || described >= MAX_DESCRIBED) break outer;
        const d = await sso.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }));
        described++;
        const name = d.PermissionSet?.Name;
        if (name && wanted.has(name)) found.push({ name, arn });
      }
      token = page.NextToken;
    } while (token);
    return {
      info: { instanceArn, permissionSets: found },
      source: { kind: 'identity-center', location, status: 'ok', counts: { permissionSetsDescribed: described, matched: found.length } },
      errors: [],
    };
  } catch (e) {
    const code = errorCode(e);
    const hint = code === 'access-denied' ? ' (Identity Center is read from the management account or its delegated administrator, in the instance\'s region; fixes keep placeholders)' : '';
    const err = toScanError('identity-center', 'sso-admin', e, location);
    // Refused is what a member account answers (the instance is read where it is administered):
    // the analysis loses nothing, only fixes keep placeholders, so the scan went on without it
    // ("skipped", listed in errors) rather than failing a source (exit 2 on every member account).
    const status = code === 'access-denied' ? 'skipped' : 'unavailable';
    return { source: { kind: 'identity-center', location, status, detail: `${err.message}${hint}` }, errors: [{ ...err, message: `${err.message}${hint}` }] };
  }
}
