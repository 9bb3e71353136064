import { defineCheck } from './types.js';
import { agentLabel, statementEvidence } from './evidence.js';

export const adminAccess = defineCheck({
  id: 'admin-access',
  title: 'Full administrator access',
  severity: 'critical',
  rationale: 'A principal that may perform every action on every resource can do anything, including deleting the account\'s workloads and rewriting its own guardrails. However it is written (`*`, `*:*`, NotAction tricks, AdministratorAccess), the effect is the same. Counted as one: at least 99 % of the catalog on every resource with no condition, including an IAM policy write (attach or put a policy, a new policy version) by which it grants itself the rest; "everything but IAM" is not, and its paths to an administrator are reported by reaches-admin and privilege-escalation.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege', 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html'],
  run(ctx) {
    const total = ctx.expander.size;
    return ctx.principals.flatMap((a) => {
      // Allowing all but a handful of actions is still administrator access.
      if (!a.isAdmin) return [];
      const n = a.effective.allResources.count();
      return [{
        principalArn: a.principal.arn,
        subject: 'admin',
        severity: a.isAgent || a.humanSession ? 'critical' : 'high',
        title: `${a.principal.name} has full administrator access`,
        description: `This ${agentLabel(a.isAgent)} may perform ${n} of ${total} known actions on every resource without any condition.`,
        evidence: statementEvidence(ctx.expander, a.principal, ['iam:CreateUser', 'ec2:TerminateInstances', 's3:DeleteBucket'], 4, ctx.evidence),
        actions: ['*'],
        remediation: 'Replace the administrator policy with a right-sized policy and attach a permissions boundary that denies destructive and escalation actions without human approval.',
      }];
    });
  },
});
