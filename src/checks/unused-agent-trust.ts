import { statementToJson } from '../iam/parse.js';
import { unusedAgentTrustByRole } from '../baseline/unused-trust.js';
import { defineCheck, type FindingDraft } from './types.js';
import { plural } from '../words.js';
import { escalationOf } from './escalation-hits.js';

export const unusedAgentTrust = defineCheck({
  id: 'unused-agent-trust',
  title: 'Role trusts an AI agent that never assumed it',
  severity: 'high',
  rationale: 'A role whose trust policy names an AI agent lets that agent become the role at any moment, with every permission the role has, and one more hop is all a role chain needs. When CloudTrail watched the agent for the whole window and it never assumed the role, the trust is standing access nobody uses: remove the agent from the trust policy (the generated trust policy does), rather than leave the door for the day the agent decides it is the quickest fix. Unknown is not unused: nothing is claimed when the agent\'s activity is not covered, when its AssumeRole record was cut short, or when the role was used yet nobody was seen assuming it (the trail misses assumptions, e.g. through a regional STS endpoint logged in another region).',
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#stscloudtrailregion',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html',
  ],
  run(ctx) {
    const usage = ctx.snapshot.usage;
    const byRole = unusedAgentTrustByRole(ctx.principals, usage);
    const out: FindingDraft[] = [];
    for (const a of ctx.principals) {
      const p = a.principal;
      const list = byRole.get(p.arn);
      if (!list || p.kind !== 'role' || !usage) continue;
      // What the agent would become: a role that can destroy or escalate is the incident's shape.
      // Its escalation as privilege-escalation counts it: a trust-only one too (session 44).
      const escalates = escalationOf(ctx, a).some((e) => !e.conditional);
      const dangerous = a.isAdmin || a.destructive.unconditional.length > 0 || escalates;
      const window = `${usage.window.start.slice(0, 10)} → ${usage.window.end.slice(0, 10)}`;
      for (const u of list) {
        const what = a.isAdmin ? 'administrator access' : a.destructive.unconditional.length > 0 ? plural(a.destructive.unconditional.length, 'destructive action') : escalates ? 'privilege escalation' : plural(a.allowedCount, 'action');
        out.push({
          principalArn: p.arn,
          subject: `agent:${u.agentArn}`,
          severity: dangerous ? 'high' : 'medium',
          title: `${p.name}: trusts agent ${u.agentName}, which never assumed it`,
          description: `The trust policy of ${p.name} names ${u.agentName} (${u.agentArn}) in statement ${u.statements.join(', ')}. CloudTrail covered ${u.agentName} for the whole window (${window}, ${u.agentEvents} events of it) and saw no sts:AssumeRole into this role,. Becoming ${p.name} would give the agent ${what}.`,
          evidence: [
            ...u.statements.map((i) => {
              const s = p.trustPolicy.statements.find((x) => x.index === i)!;
              return { kind: 'statement' as const, policy: { kind: 'trust' as const, name: 'AssumeRolePolicyDocument' as const }, statementIndex: i, ...(s.sid ? { sid: s.sid } : {}), statement: statementToJson(s) };
            }),
            { kind: 'usage' as const, detail: `${u.agentName}: ${u.agentEvents} events in ${window}, no sts:AssumeRole of ${p.arn}`, events: u.agentEvents },
          ],
          actions: ['sts:AssumeRole'],
          remediation: `Remove ${u.agentName} from the trust policy of ${p.name} (the generated trust policy does; if nothing else is trusted, it denies every caller instead, and the role can be deleted once nothing needs it).`,
        });
      }
    }
    return out;
  },
});
