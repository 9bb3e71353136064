import { defineCheck } from './types.js';
import { listText } from './evidence.js';
import { endText, pathEvidence, pathText } from '../graph/describe.js';
import { tierSets } from '../graph/power.js';
import { countsText, findingResources, namesText, unapproved, viewFor } from './resource-names.js';

export const agentReachesDestructive = defineCheck({
  id: 'agent-reaches-destructive',
  title: 'An AI agent reaches destructive actions through another principal',
  severity: 'high',
  rationale: 'The December 2025 outage was an agent deleting a live environment. An agent whose own role cannot delete anything, but which may assume a deploy role that can, can delete it. leash follows the agent\'s hops and names the destructive actions it gains and the path.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html'],
  run(ctx) {
    const g = ctx.graph;
    if (!g) return [];
    const label = (id: string) => g.node(id)?.label ?? id;
    const destructive = tierSets(ctx.expander).destructive;
    const view = viewFor(ctx);
    return ctx.principals.flatMap((a) => {
      const drivenHuman = a.humanSession && a.agentEvidence.some((e) => e.kind.startsWith('cloudtrail-') || e.kind === 'local-config');
      if (a.isAdmin || !(a.isAgent || drivenHuman)) return [];
      // Reaching an administrator is reaches-admin's finding; this one is for the destructive middle ground.
      if (g.gains(a.principal.arn, 'possible') === 'admin') return [];
      const own = a.effective.unconditional;
      for (const strength of ['proven', 'possible'] as const) {
        const reach = g.reachPower(a.principal.arn, strength);
        if (!reach) return [];
        const gained = reach.unconditional.clone().and(destructive).andNot(own);
        if (gained.isEmpty()) continue;
        const path = g.path(a.principal.arn, (n) => n.effective !== undefined && !n.effective.unconditional.clone().and(destructive).andNot(own).isEmpty());
        if (!path) return [];
        const actions = gained.toArray().slice(0, 200).map((id) => ctx.expander.catalog.actions[id]!.key);
        // With an inventory: the resources it can delete only as someone else, and through whom.
        const named = view?.summary(a.principal.arn, { kinds: ['delete'], which: 'through' });
        const first = named?.sample.find((e) => e.through);
        const via = first?.through ?? path.to;
        const namedPath = first?.path ?? path;
        return [{
          principalArn: a.principal.arn,
          subject: 'destructive-through-graph',
          severity: strength === 'proven' ? 'high' as const : 'medium' as const,
          title: named && named.count > 0
            ? `${a.principal.name} can delete ${countsText(named)} (via ${label(via)})`
            : `${a.principal.name} can reach ${gained.count()} destructive action${gained.count() === 1 ? '' : 's'} through ${endText(path, label)}`,
          description: `${named && named.count > 0 ? `As ${label(via)} it can delete ${namesText(named)}; path: ${pathText(namedPath, label)}. ` : ''}This agent cannot do these itself, but it can act as ${endText(path, label)}: ${pathText(path, label)}. Gained without approval: ${listText(actions, 8)}.${strength === 'possible' ? ' The path needs a condition to hold, or existing compute to carry the role.' : ''}`,
          evidence: pathEvidence(path, label),
          actions,
          ...(named && named.count > 0 ? { resources: findingResources(named.sample.filter((e) => unapproved(e, ['delete'], 'through').length > 0), (e) => unapproved(e, ['delete'], 'through')) } : {}),
          remediation: 'Remove the agent from the trust policy of the role it does not need, or give the agent a boundary that denies sts:AssumeRole (and the other hops) without human approval.',
        }];
      }
      return [];
    });
  },
});
