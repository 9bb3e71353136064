// Shared shape of checks that flag actions from one curated list allowed on every resource.
import type { Severity } from '../model/finding.js';
import { actionListSet, type ActionList } from './action-lists.js';
import type { CheckContext, FindingDraft } from './types.js';
import { agentLabel, listText, statementEvidenceOfIds } from './evidence.js';

export function listFindings(ctx: CheckContext, list: ActionList, opts: { subject: string; what: string; severity: (isAgent: boolean) => Severity; scope: 'all-resources' | 'any'; remediation: string }): FindingDraft[] {
  const set = actionListSet(list, ctx.expander);
  const why = new Map(list.actions.map((x) => [x.action.toLowerCase(), x.why]));
  return ctx.principals.flatMap((a) => {
    if (a.isAdmin) return [];
    const hitIds = set.intersectionIds(opts.scope === 'all-resources' ? a.effective.allResources : a.effective.unconditional);
    if (hitIds.length === 0) return [];
    const hits = hitIds.map((id) => ctx.expander.catalog.actions[id]!.key);
    return [{
      principalArn: a.principal.arn,
      subject: opts.subject,
      severity: opts.severity(a.isAgent),
      title: `${a.principal.name} can ${opts.what}: ${listText(hits)}`,
      description: `This ${agentLabel(a.isAgent)} is allowed${opts.scope === 'all-resources' ? ' on every resource' : ''}: ${hits.map((h) => `${h} (${why.get(h.toLowerCase()) ?? ''})`).slice(0, 6).join('; ')}${hits.length > 6 ? `; and ${hits.length - 6} more` : ''}.`,
      evidence: statementEvidenceOfIds(ctx.expander, a.principal, hitIds, 6, ctx.evidence),
      actions: hits,
      remediation: opts.remediation,
    }];
  });
}
