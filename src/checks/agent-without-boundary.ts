import { defineCheck } from './types.js';
import { plural } from '../words.js';
import { escalationOf } from './escalation-hits.js';

export const agentWithoutBoundary = defineCheck({
  id: 'agent-without-boundary',
  title: 'Agent principal has no permissions boundary',
  severity: 'high',
  rationale: 'A permissions boundary caps what an identity can ever do, whatever policies are attached later, and is where a deny of destructive and escalation actions without human approval belongs.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html'],
  run(ctx) {
    return ctx.principals.flatMap((a) => {
      // A boundary named but missing from the export is still a boundary (unknown content, not none).
      if (!a.isAgent || a.principal.boundary || a.principal.boundaryArn) return [];
      // A trust-only escalation counts as any (session 44): a role that trusts the agent by name
      // needs no sts:AssumeRole of its own, and (for its role ARN) only a boundary would stop it.
      const escalation = escalationOf(ctx, a);
      const risky = a.destructive.unconditional.length > 0 || escalation.some((e) => !e.conditional);
      return [{
        principalArn: a.principal.arn, subject: 'no-boundary', severity: risky ? 'high' as const : 'medium' as const,
        title: `${a.principal.name} has no permissions boundary`,
        description: `No permissions boundary limits this agent principal${risky ? `, which can reach ${plural(a.destructive.unconditional.length, 'destructive action')} and ${plural(escalation.length, 'escalation technique')}` : ''}.`,
        evidence: [{ kind: 'attribute' as const, name: 'PermissionsBoundary', value: 'none' }],
        actions: [], remediation: 'Attach the generated boundary as the permissions boundary (its fix folder names it; the policy is in fixes/boundaries/<name>/boundary.json).',
      }];
    });
  },
});
