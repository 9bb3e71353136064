import { defineCheck } from './types.js';
import { agentLabel } from './evidence.js';
import { endText, pathEvidence, pathText } from '../graph/describe.js';
import { inventoryComplete } from './passable-roles.js';

export const reachesAdmin = defineCheck({
  id: 'reaches-admin',
  title: 'Can become an administrator through other principals',
  severity: 'critical',
  rationale: 'What a principal can do includes what it can become: a role it may assume, a user it can mint keys for, a role it can pass to compute, a policy it can rewrite. leash follows those hops with IAM\'s own rules (trust policies, identity policies, boundaries, SCPs, explicit denies) and reports the shortest path to administrator access. For an AI agent this is the incident: the agent\'s role looks harmless, the role it can assume is not.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html', 'https://pathfinding.cloud'],
  run(ctx) {
    const g = ctx.graph;
    if (!g) return [];
    const label = (id: string) => g.node(id)?.label ?? id;
    const whole = inventoryComplete(ctx.snapshot, { rolesRequired: false }).complete;
    return ctx.principals.flatMap((a) => {
      if (a.isAdmin) return [];
      const proven = g.gains(a.principal.arn, 'proven') === 'admin';
      if (!proven && g.gains(a.principal.arn, 'possible') !== 'admin') return [];
      const path = g.pathToAdmin(a.principal.arn);
      if (!path) return [];
      const severity = path.condition === 'none' && path.target === 'proven' ? 'critical' as const : path.condition === 'approval' ? 'medium' as const : 'high' as const;
      const caveat = path.condition === 'approval' ? ' Every path needs a human-approval condition on some hop.' : path.condition === 'unknown' ? ' A hop depends on a condition leash cannot settle.' : path.target === 'inferred' ? ' A hop assumes existing compute carries the role (leash has no compute inventory to prove it).' : '';
      return [{
        principalArn: a.principal.arn,
        subject: 'admin',
        severity,
        title: `${a.principal.name} can become an administrator in ${path.hops.length} hop${path.hops.length === 1 ? '' : 's'}`,
        description: `This ${agentLabel(a.isAgent)} can act as ${endText(path, label)}, which has administrator access: ${pathText(path, label)}.${caveat}${whole ? '' : ' The IAM inventory was read in part, so other paths may exist.'}`,
        evidence: pathEvidence(path, label),
        actions: [...new Set(path.hops.flatMap((h) => h.actions))],
        remediation: 'Cut the first hop: remove the grant or the trust statement it names (or add a condition only a human can meet), or give the agent a permissions boundary that denies it without approval.',
      }];
    });
  },
});
