// An independent judge of the built exports: @cloud-copilot/iam-simulate (AGPL, dev-only oracle,
// never imported from src/) decides single requests a case says must be Allowed or Denied.
// A principal's policies are taken straight from the export JSON (inline, attached managed, its
// groups' policies, its boundary); sts:AssumeRole on a role of the export adds the role's trust
// policy as the resource policy.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AuthorizationDetailsJson, Json, PolicyJson } from './iam-export-builder.js';

type Obj = Record<string, Json>;

function managedDoc(exp: AuthorizationDetailsJson, arn: string): PolicyJson {
  const p = exp.Policies.find((x) => x.Arn === arn);
  if (!p) throw new Error(`managed policy ${arn} is not in the export`);
  const versions = p.PolicyVersionList as Obj[];
  const v = versions.find((x) => x.IsDefaultVersion === true);
  if (!v) throw new Error(`managed policy ${arn} has no default version`);
  return v.Document as unknown as PolicyJson;
}

export interface PrincipalPolicies { identity: { name: string; policy: PolicyJson }[]; boundary?: PolicyJson; kind: 'user' | 'role'; name: string }

export function principalPolicies(exp: AuthorizationDetailsJson, arn: string): PrincipalPolicies {
  const user = exp.UserDetailList.find((u) => u.Arn === arn);
  const role = exp.RoleDetailList.find((r) => r.Arn === arn);
  const p = user ?? role;
  if (!p) throw new Error(`principal ${arn} is not in the export`);
  const identity: { name: string; policy: PolicyJson }[] = [];
  const inline = (list: Json | undefined, prefix: string) => ((list ?? []) as Obj[]).forEach((x) => identity.push({ name: `${prefix}${String(x.PolicyName)}`, policy: x.PolicyDocument as unknown as PolicyJson }));
  const managed = (list: Json | undefined, prefix: string) => ((list ?? []) as Obj[]).forEach((x) => identity.push({ name: `${prefix}${String(x.PolicyName)}`, policy: managedDoc(exp, String(x.PolicyArn)) }));
  inline(p.UserPolicyList ?? p.RolePolicyList, 'inline-');
  managed(p.AttachedManagedPolicies, 'managed-');
  for (const g of (user?.GroupList ?? []) as string[]) {
    const group = exp.GroupDetailList.find((x) => x.GroupName === g);
    if (!group) throw new Error(`group ${g} of ${arn} is not in the export`);
    inline(group.GroupPolicyList, `group-${g}-inline-`);
    managed(group.AttachedManagedPolicies, `group-${g}-managed-`);
  }
  const b = p.PermissionsBoundary as Obj | undefined;
  return { identity, ...(b ? { boundary: managedDoc(exp, String(b.PermissionsBoundaryArn)) } : {}), kind: user ? 'user' : 'role', name: String(user ? user.UserName : role!.RoleName) };
}

export interface OracleQuery {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  readonly extraIdentity?: readonly PolicyJson[];
  /** Policies that apply to every principal of the account (SCPs); FullAWSAccess is added beside them. */
  readonly scps?: readonly PolicyJson[];
}

const FULL_AWS_ACCESS: PolicyJson = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * iam-simulate's decision ('Allowed', 'ImplicitlyDenied', 'ExplicitlyDenied'). The principal is
 * looked up in `exp`; a role being assumed in `resourceExport` (another account's export for
 * cross-account requests), whose trust policy becomes the resource policy.
 */
export async function oracleDecision(exp: AuthorizationDetailsJson, q: OracleQuery, now: Date, resourceExport: AuthorizationDetailsJson = exp): Promise<string> {
  const pp = principalPolicies(exp, q.principalArn);
  const account = q.principalArn.split(':')[4]!;
  const targetRole = q.action.toLowerCase() === 'sts:assumerole' ? resourceExport.RoleDetailList.find((r) => r.Arn === q.resource) : undefined;
  const context: Record<string, string> = {
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    // Roles act through sessions (a token issued an hour ago); users here sign with long-term keys (no TokenIssueTime).
    ...(pp.kind === 'role' ? { 'aws:TokenIssueTime': new Date(now.getTime() - 3_600_000).toISOString() } : { 'aws:username': pp.name }),
    ...(q.context ?? {}),
  };
  const sim = await runSimulation({
    request: { principal: q.principalArn, action: q.action, resource: { resource: q.resource, accountId: q.resource.split(':')[4] || account }, contextVariables: context },
    identityPolicies: [...pp.identity, ...(q.extraIdentity ?? []).map((policy, i) => ({ name: `extra-${i}`, policy }))],
    ...(pp.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: pp.boundary }] } : {}),
    serviceControlPolicies: q.scps?.length ? [{ orgIdentifier: account, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...q.scps.map((policy, i) => ({ name: `scp-${i}`, policy }))] }] : [],
    resourceControlPolicies: [],
    ...(targetRole ? { resourcePolicy: targetRole.AssumeRolePolicyDocument } : {}),
  }, {});
  if (sim.resultType !== 'single') throw new Error(`iam-simulate did not run ${q.action} on ${q.resource} for ${q.principalArn}: ${JSON.stringify(sim.resultType === 'error' ? sim.errors : sim.resultType)}`);
  return sim.overallResult;
}
