import { defineCheck } from './types.js';
import { agentLabel, listText, statementEvidence } from './evidence.js';

const roleName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export const privilegeEscalation = defineCheck({
  id: 'privilege-escalation',
  title: 'Privilege escalation technique within reach',
  severity: 'critical',
  rationale: 'A principal that can rewrite policies, pass privileged roles to new compute, or mint credentials for others can become an administrator. Techniques are evaluated per principal across all its policies, boundary and SCPs, not per policy.',
  references: ['https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/', 'https://pathfinding.cloud', 'https://github.com/BishopFox/iam-vulnerable'],
  run(ctx) {
    return ctx.principals.flatMap((a) => {
      // Administrators need no escalation; admin-access already says so.
      if (a.isAdmin) return [];
      return a.escalation.map((h) => ({
        principalArn: a.principal.arn,
        subject: h.techniqueId,
        technique: h.techniqueId,
        severity: h.conditional ? 'medium' as const : a.isAgent || a.humanSession ? 'critical' as const : h.severity,
        title: `${a.principal.name} can escalate privileges: ${h.name}`,
        description: `${h.description} This ${agentLabel(a.isAgent)} is allowed ${listText(h.actions, 6)}${h.conditional ? ' (only when a condition holds)' : ''}.${h.passableRoles ? ` Roles it can pass that can do more than it can: ${listText(h.passableRoles.map(roleName), 3)}.` : ''}`,
        evidence: statementEvidence(a.principal, h.actions, 6),
        actions: h.actions,
        remediation: 'Remove these actions or scope them to resources that cannot lead to more privilege; the generated boundary denies them without human approval.',
      }));
    });
  },
});
