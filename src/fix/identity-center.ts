// IAM Identity Center owns its AWSReservedSSO_<PermissionSet>_<hash> roles: IAM refuses changes to
// them, and whatever is changed there is overwritten at the next provisioning. Their fixes target
// the permission set instead (sso-admin, aws_ssoadmin_*), with the instance and permission-set
// ARNs read live when the scan collected them, and placeholders (or Terraform data sources) otherwise.
import type { Principal, Snapshot } from '../model/snapshot.js';
import { isHumanSessionRole } from '../agents/identify.js';

export interface IdentityCenterTarget {
  readonly permissionSetName: string;
  readonly instanceArn?: string;
  readonly permissionSetArn?: string;
}

export const INSTANCE_ARN_PLACEHOLDER = 'REPLACE-WITH-IDENTITY-CENTER-INSTANCE-ARN';
export const PERMISSION_SET_ARN_PLACEHOLDER = 'REPLACE-WITH-PERMISSION-SET-ARN';

/** `AWSReservedSSO_AdministratorAccess_3f8a9c2d1e7b6a54` → `AdministratorAccess` (names may hold underscores). */
export function permissionSetName(roleName: string): string | undefined {
  const m = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/.exec(roleName);
  return m?.[1];
}

export function permissionSetOf(p: Principal, snapshot: Pick<Snapshot, 'identityCenter'>): IdentityCenterTarget | undefined {
  if (p.kind !== 'role' || !isHumanSessionRole(p)) return undefined;
  const name = permissionSetName(p.name);
  if (!name) return undefined;
  const ic = snapshot.identityCenter;
  const ps = ic?.permissionSets.find((x) => x.name === name);
  return { permissionSetName: name, ...(ic ? { instanceArn: ic.instanceArn } : {}), ...(ps ? { permissionSetArn: ps.arn } : {}) };
}
