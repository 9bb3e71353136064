import { defineCheck } from './types.js';

export const longSessionDuration = defineCheck({
  id: 'long-session-duration',
  title: 'Agent role sessions last longer than an hour',
  severity: 'medium',
  rationale: 'Credentials handed to an agent should expire quickly: a leaked or misused session keeps working until then. One hour is the default and enough for a tool\'s session.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html#id_roles_update-session-duration'],
  run(ctx) {
    const limit = ctx.config.checks.maxSessionSeconds;
    return ctx.principals.flatMap((a) => {
      const p = a.principal;
      if (p.kind !== 'role' || !a.isAgent || p.maxSessionDuration === undefined || p.maxSessionDuration <= limit) return [];
      return [{
        principalArn: p.arn, subject: 'max-session-duration', severity: 'medium' as const,
        title: `${p.name} sessions may last ${p.maxSessionDuration / 3600} h`,
        description: `MaxSessionDuration is ${p.maxSessionDuration} s; leash recommends at most ${limit} s for agent roles.`,
        evidence: [{ kind: 'attribute' as const, name: 'MaxSessionDuration', value: String(p.maxSessionDuration) }],
        actions: [], remediation: `aws iam update-role --role-name ${p.name} --max-session-duration ${limit}`,
      }];
    });
  },
});
