// An IAM export whose agent roles `missing` name a permissions boundary the export does not hold (a
// filtered export: leash calls their boundary and right-sized fixes not safe), beside agent roles
// without a boundary (`plain`) and one whose session lasts 12 hours (`longSession`): their fixes
// are safe, the controls. The not-safe tests (not-safe-group, not-safe-renderings) build it.
import { IamExportBuilder, allow, policy, trust, type AuthorizationDetailsJson } from './iam-export-builder.js';

export interface MissingBoundaryAccount {
  readonly account: string;
  /** The boundary's policy name (a name with an escape shows the reason's text is made safe). */
  readonly boundaryName: string;
  readonly missing: readonly string[];
  readonly plain: readonly string[];
  readonly longSession: string;
}

export function missingBoundaryExport(a: MissingBoundaryAccount): AuthorizationDetailsJson {
  const b = new IamExportBuilder(a.account);
  const old = b.customerPolicy(a.boundaryName, policy(allow('s3:GetObject', '*')));
  const agent = (boundary?: string) => ({ trust: trust('ec2.amazonaws.com'), inline: { p: policy(allow(['s3:*', 'iam:PassRole'], '*')) }, tags: { 'ai-agent': 'true' }, ...(boundary ? { boundary } : {}) });
  for (const n of a.missing) b.role(n, agent(old));
  for (const n of [...a.plain, a.longSession]) b.role(n, agent());
  const e = b.build();
  for (const r of e.RoleDetailList) if (r.RoleName === a.longSession) (r as Record<string, unknown>).MaxSessionDuration = 43200;
  // Filtered out: the roles name it, the export does not hold it.
  e.Policies = e.Policies.filter((x) => x.Arn !== old);
  return e;
}
