import { defineCheck } from './types.js';

const DAY = 86_400_000;

export const unusedRole = defineCheck({
  id: 'unused-role',
  title: 'Role not used recently',
  severity: 'medium',
  rationale: 'A role nobody uses is standing access with no owner watching it. IAM records RoleLastUsed for about 400 days; a role unused for longer than the threshold should be removed or its permissions revoked.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html#roles-delete_prerequisites', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html'],
  run(ctx) {
    const days = ctx.config.checks.unusedRoleDays;
    return ctx.principals.flatMap((a) => {
      const p = a.principal;
      // RoleLastUsed absent from the export = unknown, not unused.
      if (p.kind !== 'role' || p.lastUsed === undefined || p.path.startsWith('/aws-service-role/')) return [];
      const created = p.createDate ? Date.parse(p.createDate) : undefined;
      if (created !== undefined && ctx.now.getTime() - created < days * DAY) return [];
      const last = p.lastUsed.date ? Date.parse(p.lastUsed.date) : undefined;
      if (last !== undefined && ctx.now.getTime() - last < days * DAY) return [];
      const ago = last === undefined ? 'never (within IAM\'s tracking period)' : `${Math.floor((ctx.now.getTime() - last) / DAY)} days ago`;
      return [{
        principalArn: p.arn, subject: 'unused', severity: a.isAgent ? 'medium' as const : 'low' as const,
        title: `${p.name} last used ${ago}`,
        description: `The role was last used ${ago}; the threshold is ${days} days.`,
        evidence: [{ kind: 'attribute' as const, name: 'RoleLastUsed', value: p.lastUsed.date ?? 'never' }],
        actions: [], remediation: 'Delete the role, or remove its policies if it must stay.',
      }];
    });
  },
});
