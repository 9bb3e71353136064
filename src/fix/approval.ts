// The approval condition, chosen per principal so that it can actually be met. A Deny "unless
// approved" that no session of the principal can ever satisfy is a Deny, and the fix must say so
// instead of calling the actions "gated".
import type { LeashConfig } from '../config/config.js';
import { approvalConditions, type ApprovalCondition } from '../checks/data.js';
import type { AnalyzedPrincipal } from '../checks/types.js';

export interface PrincipalApproval {
  readonly condition: ApprovalCondition;
  /** Can some session of this principal meet the condition (a human steps in)? */
  readonly meetable: boolean;
  /** How it is met, or why it cannot be. */
  readonly why: string;
}

export function configuredApproval(config: LeashConfig): ApprovalCondition {
  const a = approvalConditions();
  return a.conditions.find((c) => c.id === config.approval.condition) ?? a.conditions.find((c) => c.id === a.default) ?? a.conditions[0]!;
}

/** Only AWS services may assume the role (no AWS account, federated or "*" principal). */
export function serviceOnlyTrust(a: AnalyzedPrincipal): boolean {
  const p = a.principal;
  if (p.kind !== 'role') return false;
  const allows = p.trustPolicy.statements.filter((s) => s.effect === 'Allow');
  return allows.length > 0 && allows.every((s) => s.principal !== undefined && s.principal !== '*' && Object.entries(s.principal).every(([k, v]) => k === 'Service' || v.length === 0));
}

/** Only identity federation (OIDC or SAML) may assume the role: no AWS account principal, no service. */
function federatedOnlyTrust(a: AnalyzedPrincipal): boolean {
  const p = a.principal;
  if (p.kind !== 'role') return false;
  const allows = p.trustPolicy.statements.filter((s) => s.effect === 'Allow');
  return allows.length > 0 && allows.every((s) => s.principal !== undefined && s.principal !== '*' && Object.entries(s.principal).every(([k, v]) => k === 'Federated' || v.length === 0));
}

export function approvalFor(a: AnalyzedPrincipal, config: LeashConfig): PrincipalApproval {
  const condition = configuredApproval(config);
  if (condition.kind === 'channel') return { condition, meetable: true, why: `${condition.id} only closes one channel (${condition.description}); it is not an approval.` };
  if (a.humanSession) {
    return {
      condition, meetable: false,
      why: 'IAM Identity Center sessions cannot meet it: they carry no MFA context IAM can test (aws:MultiFactorAuthPresent is absent), and no approval broker can add a session tag or source identity to them. So the boundary denies these actions outright for every session of this permission set; for the rare change that needs one, assign a separate break-glass permission set on request.',
    };
  }
  if (serviceOnlyTrust(a)) {
    return {
      condition, meetable: false,
      why: 'Only AWS services assume this role, and a service session carries no MFA, session tag or source identity from a human: the boundary denies these actions outright.',
    };
  }
  if (condition.id.startsWith('mfa-') && federatedOnlyTrust(a)) {
    return {
      condition, meetable: false,
      why: 'Only web-identity or SAML federation assumes this role (AssumeRoleWithWebIdentity / AssumeRoleWithSAML), and such sessions carry no aws:MultiFactorAuthPresent or aws:MultiFactorAuthAge IAM can test: the boundary denies these actions outright. A change that needs one goes through another role a human assumes with MFA.',
    };
  }
  if (!condition.id.startsWith('mfa-') && a.principal.kind === 'user') {
    return {
      condition, meetable: false,
      why: `An IAM user's requests carry no session tag or source identity set by an approver (no broker can assume a user), so ${condition.id} cannot hold for it: the boundary denies these actions outright. Use mfa-present or mfa-recent for users, or move the agent to a role a broker assumes.`,
    };
  }
  if (condition.id.startsWith('mfa-')) {
    return {
      condition, meetable: true,
      why: a.principal.kind === 'user'
        ? 'A human with this user\'s MFA device gets such a session: aws sts get-session-token --serial-number <device> --token-code <code>.'
        : 'A human assumes the role with MFA: aws sts assume-role --serial-number <device> --token-code <code> (the trust policy must allow the human).',
    };
  }
  return { condition, meetable: true, why: condition.description };
}

/** A condition named in a sentence ("… unless approval condition mfa-present holds"); a fix's README links the name. */
export function approvalHolds(c: ApprovalCondition): string {
  return `approval condition ${c.id} holds`;
}
