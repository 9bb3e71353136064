import { defineCheck } from './types.js';
import { listText } from './evidence.js';

export const humanSessionDrivenByAgent = defineCheck({
  id: 'human-session-driven-by-agent',
  title: 'An engineer\'s own session is driven by an AI tool',
  severity: 'critical',
  rationale: 'The December 2025 incident: an AI agent acted through an engineer\'s broad role, bypassing the approval the engineer would have applied. A human role used by an AI tool (seen in CloudTrail user agents, session names or local tool configs) gives the agent everything the human has.',
  references: ['https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html', 'https://github.com/aws/aws-cli/pull/10485'],
  run(ctx) {
    return ctx.principals.flatMap((a) => {
      if (!a.humanSession) return [];
      const ai = a.agentEvidence.filter((e) => e.kind.startsWith('cloudtrail-') || e.kind === 'local-config');
      if (ai.length === 0) return [];
      const tools = [...new Set(ai.map((e) => e.tool).filter((t): t is string => Boolean(t)))];
      const destructive = a.destructive.unconditional;
      return [{
        principalArn: a.principal.arn, subject: 'ai-driven',
        severity: destructive.length > 0 ? 'critical' as const : 'high' as const,
        title: `${a.principal.name} (a human session role) is used by ${tools.join(', ') || 'an AI tool'}`,
        description: `${ai.map((e) => e.detail).slice(0, 3).join('; ')}. ${destructive.length > 0 ? `The role can ${listText(destructive, 4)} with no approval condition.` : ''} Give the tool its own role with a boundary instead of the engineer's session.`,
        evidence: ai.map((e) => ({ kind: 'usage' as const, detail: e.detail })),
        actions: destructive,
        remediation: 'Give the AI tool a dedicated role (right-sized, with the generated boundary) and a session policy; do not run it with an engineer\'s administrator session.',
      }];
    });
  },
});
