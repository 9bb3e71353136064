import { ActionSet } from '../iam/action-set.js';
import { isWriteLike } from '../iam/catalog.js';
import { defineCheck } from './types.js';
import { agentLabel, listText, statementEvidenceOfIds } from './evidence.js';

export const writeAllResources = defineCheck({
  id: 'write-all-resources',
  title: 'Write or permissions-management actions on Resource "*"',
  severity: 'high',
  rationale: 'Write and permissions-management actions that support resource-level scoping but are granted on `*` reach every resource of that type, including ones the workload never touches. Actions AWS only allows on `*` are excluded.',
  references: ['https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html'],
  run(ctx) {
    const total = ctx.expander.size;
    const scopable = ActionSet.of(total, ctx.expander.catalog.actions.filter((x) => isWriteLike(x) && x.resourceTypes.length > 0).map((x) => x.id));
    const permissions = ActionSet.of(total, ctx.expander.catalog.actions.filter((x) => x.accessLevels.includes('Permissions management') && x.resourceTypes.length > 0).map((x) => x.id));
    const key = (id: number) => ctx.expander.catalog.actions[id]!.key;
    return ctx.principals.flatMap((a) => {
      if (a.isAdmin) return [];
      const all = a.effective.allResources;
      // Ids first (up to the cut); the count is asked only when the cut was reached.
      const ids = scopable.intersectionIds(all, 500);
      if (ids.length === 0) return [];
      const n = ids.length < 500 ? ids.length : scopable.intersectionCount(all);
      const keys = ids.map(key);
      const permIds = permissions.intersectionIds(all, 100);
      const permCount = permIds.length < 100 ? permIds.length : permissions.intersectionCount(all);
      const permKeys = permIds.map(key);
      return [{
        principalArn: a.principal.arn,
        subject: 'write-star',
        severity: permKeys.length > 0 && a.isAgent ? 'high' : 'medium',
        title: `${a.principal.name} may write to every resource (${n} actions${permCount ? `, ${permCount} permissions-management` : ''})`,
        description: `This ${agentLabel(a.isAgent)} may perform ${n} write-level actions on Resource "*" that could be scoped to specific resources, e.g. ${listText(permKeys.length ? permKeys : keys, 5)}.`,
        evidence: statementEvidenceOfIds(ctx.expander, a.principal, [...permIds.slice(0, 10), ...ids.slice(0, 10)], 6, ctx.evidence),
        actions: keys,
        remediation: 'Scope these actions to the resource ARNs the workload uses.',
      }];
    });
  },
});
