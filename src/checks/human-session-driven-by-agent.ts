import { defineCheck, type FindingDraft } from './types.js';
import { listText } from './evidence.js';
import { aiDrivingEvidence, weakDrivingEvidence } from '../agents/identify.js';

export const humanSessionDrivenByAgent = defineCheck({
  id: 'human-session-driven-by-agent',
  title: 'An engineer\'s own session is driven by an AI tool',
  severity: 'critical',
  rationale: 'The December 2025 incident: an AI agent acted through an engineer\'s broad role, bypassing the approval the engineer would have applied. A human role used by an AI tool (seen in CloudTrail user agents, session names or local tool configs) gives the agent everything the human has.',
  references: ['https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html', 'https://github.com/aws/aws-cli/pull/10485'],
  run(ctx) {
    return ctx.principals.flatMap((a): FindingDraft[] => {
      if (!a.humanSession) return [];
      const ai = aiDrivingEvidence(a.agentEvidence);
      const weak = ai.length === 0 ? weakDrivingEvidence(a.agentEvidence) : [];
      if (ai.length === 0 && weak.length === 0) return [];
      const shown = ai.length > 0 ? ai : weak;
      const tools = [...new Set(shown.map((e) => e.tool).filter((t): t is string => Boolean(t)))];
      const evidence = shown.map((e) => ({ kind: 'usage' as const, detail: e.detail }));
      // One weak signal (an unverified user-agent code, an LLM library's marker) is a person's
      // session until a second source agrees: worth a look, never a high finding against them.
      if (ai.length === 0) {
        return [{
          principalArn: a.principal.arn, subject: 'ai-driven', severity: 'info' as const,
          title: `${a.principal.name} (a human session role) may be used by ${tools.join(', ') || 'an AI tool'}: one weak signal`,
          description: `${shown.map((e) => e.detail).slice(0, 3).join('; ')}. This is weak evidence from one source (${shown.map((e) => e.why ?? e.kind).slice(0, 1).join('')}), so the session is not treated as driven by an AI tool. Ask the engineer; declare the role in leash.config.yaml if a tool does use it.`,
          evidence,
          actions: [],
        }];
      }
      const destructive = a.destructive.unconditional;
      return [{
        principalArn: a.principal.arn, subject: 'ai-driven',
        severity: destructive.length > 0 ? 'critical' as const : 'high' as const,
        title: `${a.principal.name} (a human session role) is used by ${tools.join(', ') || 'an AI tool'}`,
        description: `${shown.map((e) => e.detail).slice(0, 3).join('; ')}. ${destructive.length > 0 ? `The role can ${listText(destructive, 4)} with no approval condition.` : ''} Give the tool its own role with a boundary instead of the engineer's session.`,
        evidence,
        actions: destructive,
        remediation: 'Give the AI tool a dedicated role (right-sized, with the generated boundary) and a session policy; do not run it with an engineer\'s administrator session.',
      }];
    });
  },
});
