import { defineCheck } from './types.js';
import { agentLabel, listText, statementEvidence } from './evidence.js';
import { graphJudgement } from '../graph/techniques.js';
import { targetText } from '../graph/describe.js';
import { inventoryComplete } from './passable-roles.js';
import type { PowerTier } from '../model/graph.js';

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1).replace(/#.*$/, '');

const TIER_TEXT: Readonly<Record<PowerTier, string>> = {
  admin: 'administrator access',
  'iam-write': 'IAM write actions',
  destructive: 'destructive actions',
  'credential-access': 'credential access',
  'data-read': 'data reads on every resource',
  other: 'other actions',
};

export const privilegeEscalation = defineCheck({
  id: 'privilege-escalation',
  title: 'Privilege escalation technique within reach',
  severity: 'critical',
  rationale: 'A principal that can rewrite policies, pass privileged roles to new compute, or mint credentials for others can become an administrator. A technique counts only where it reaches a principal (or a state of one) that can do more than the caller — in the order admin, IAM write, destructive, credential access, data reads on every resource — judged by the access graph with the trust, identity, boundary and SCP rules of every hop.',
  references: ['https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/', 'https://pathfinding.cloud', 'https://github.com/BishopFox/iam-vulnerable'],
  run(ctx) {
    // Without the whole IAM inventory, "no target gives more" cannot be told from "targets unseen".
    const whole = inventoryComplete(ctx.snapshot, { rolesRequired: false }).complete;
    return ctx.principals.flatMap((a) => {
      // Administrators need no escalation; admin-access already says so.
      if (a.isAdmin) return [];
      return a.escalation.flatMap((h) => {
        const judged = ctx.graph && whole ? graphJudgement(h.techniqueId) : undefined;
        let via = '';
        let possibleOnly = false;
        if (judged) {
          const edges = ctx.graph!.escalatingEdges(a.principal.arn, judged.match).filter((x) => !judged.otherOnly || x.edge.to.split('#')[0] !== a.principal.arn);
          if (edges.length === 0) return [];
          const proven = edges.filter((x) => x.strength === 'proven');
          possibleOnly = proven.length === 0;
          const best = (proven.length > 0 ? proven : edges)[0]!;
          const targets = [...new Set(edges.map((x) => targetText(x.edge, (id) => ctx.graph!.node(id)?.label ?? nameOf(id))))];
          via = ` It reaches ${listText(targets, 3)}, which adds ${TIER_TEXT[best.adds]}${possibleOnly ? ' (only if a condition holds, or if existing compute carries the role)' : ''}.`;
        }
        const conditional = h.conditional || possibleOnly;
        return [{
          principalArn: a.principal.arn,
          subject: h.techniqueId,
          technique: h.techniqueId,
          severity: conditional ? 'medium' as const : a.isAgent || a.humanSession ? 'critical' as const : h.severity,
          title: `${a.principal.name} can escalate privileges: ${h.name}`,
          description: `${h.description} This ${agentLabel(a.isAgent)} is allowed ${listText(h.actions, 6)}${h.conditional ? ' (only when a condition holds)' : ''}.${via || (h.passableRoles ? ` Roles it can pass that can do more than it can: ${listText(h.passableRoles.map(nameOf), 3)}.` : '')}`,
          evidence: statementEvidence(ctx.expander, a.principal, h.actions, 6, ctx.evidence),
          actions: h.actions,
          remediation: 'Remove these actions or scope them to resources that cannot lead to more privilege; the generated boundary denies them without human approval.',
        }];
      });
    });
  },
});
