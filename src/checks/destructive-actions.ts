import { defineCheck, type FindingDraft } from './types.js';
import { agentLabel, listText, statementEvidence } from './evidence.js';
import { destructiveActions as destructiveList } from './data.js';
import { countsText, findingResources, namesText, unapproved, viewFor } from './resource-names.js';
import type { BlastSummary } from '../resources/blast.js';
import { plural } from '../words.js';
import { grantScope, ONE_STEP_LOWER, scopeVerdict } from './scope.js';
import { markersFrom } from '../resources/markers.js';

/** "its policy platform-deploy (Deploy)" for the statements that grant the deletes. */
function grantedBy(sum: BlastSummary): string {
  const seen = new Set<string>();
  for (const e of sum.sample) for (const g of unapproved(e, ['delete'], 'own')) for (const ev of g.evidence) {
    seen.add(ev.side === 'identity' ? `its policy ${ev.policy}${ev.sid ? ` (${ev.sid})` : ` statement ${ev.statementIndex}`}` : `the ${ev.policy} of ${ev.arn.split(/[:/]/).pop()}`);
  }
  return [...seen].slice(0, 3).join(', ');
}

export const destructiveActions = defineCheck({
  id: 'destructive-actions',
  title: 'Destructive actions allowed without human approval',
  severity: 'critical',
  rationale: 'In December 2025 an AI coding agent running with an engineer\'s broad permissions chose to delete and recreate a live environment; a service was down for 13 hours. Actions that delete, terminate or rebuild environments, data stores and guardrails should never be available to an agent without a human-approval condition.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent'],
  run(ctx) {
    const why = new Map(destructiveList().map((d) => [d.action.toLowerCase(), d]));
    const view = viewFor(ctx);
    const markers = markersFrom(ctx.config.resources?.production);
    return ctx.principals.flatMap((a): FindingDraft[] => {
      const { unconditional, conditional } = a.destructive;
      if (unconditional.length === 0 && conditional.length === 0) return [];
      const categories = [...new Set(unconditional.map((x) => why.get(x.toLowerCase())?.category).filter(Boolean))];
      if (unconditional.length === 0) {
        return [{
          principalArn: a.principal.arn, subject: 'destructive-conditional', severity: 'info' as const,
          title: `${a.principal.name}: ${plural(conditional.length, 'destructive action')} only behind a condition`,
          description: `Destructive actions are reachable only when a condition holds (e.g. an approval or MFA condition): ${listText(conditional, 6)}. Check that the condition is one an agent cannot satisfy on its own.`,
          evidence: statementEvidence(ctx.expander, a.principal, conditional, 4, ctx.evidence), actions: conditional,
        }];
      }
      const agentish = a.isAgent || (a.humanSession && a.agentEvidence.length > 0);
      // With an inventory: the resources it can delete by its own policies, production first.
      const named = view?.summary(a.principal.arn, { kinds: ['delete'], which: 'own' });
      const base = `This ${agentLabel(a.isAgent)} may, with no human-approval condition, ${listText(unconditional, 5)} (categories: ${categories.join(', ') || 'various'}). ${unconditional.slice(0, 3).map((x) => `${x}: ${why.get(x.toLowerCase())?.why ?? ''}`).join(' ')}`;
      const severity = agentish ? 'critical' : a.humanSession ? 'medium' : 'high';
      // Without named resources, where the grants apply: scoped to named, non-production resources
      // is one step lower than on every resource (session 35).
      const scope = named && named.count > 0 ? undefined
        : scopeVerdict(grantScope(ctx.expander, a.principal, unconditional, { effective: a.effective, ...(ctx.evidence ? { index: ctx.evidence } : {}), ...(ctx.snapshot.scps ? { scps: ctx.snapshot.scps } : {}), markers }));
      return [{
        principalArn: a.principal.arn,
        subject: 'destructive',
        severity: scope?.lower ? ONE_STEP_LOWER[severity] : severity,
        title: named && named.count > 0
          ? `${a.principal.name} can delete ${countsText(named)} without approval (${plural(unconditional.length, 'destructive action')})`
          : `${a.principal.name} can run ${plural(unconditional.length, 'destructive action')} without approval${scope?.only ? `, ${scope.only}` : ''}`,
        description: named && named.count > 0 ? `It can delete ${namesText(named)}, through ${grantedBy(named)}. ${base}` : `${base}${scope?.text ?? ''}`,
        evidence: statementEvidence(ctx.expander, a.principal, unconditional, 6, ctx.evidence),
        actions: unconditional,
        ...(named && named.count > 0 ? { resources: findingResources(named.sample, (e) => unapproved(e, ['delete'], 'own')) } : {}),
        remediation: 'Attach the generated permissions boundary: it denies these actions unless the human-approval condition holds, and right-size the identity policy to what was used.',
      }];
    });
  },
});
