// Shared shape of checks that flag actions from one curated list allowed on every resource.
import type { Severity } from '../model/finding.js';
import { actionListSet, type ActionList } from './action-lists.js';
import type { CheckContext, FindingDraft } from './types.js';
import { agentLabel, listText, statementEvidenceOfIds } from './evidence.js';
import { wideByType } from './scope.js';

export function listFindings(ctx: CheckContext, list: ActionList, opts: { subject: string; what: string; severity: (isAgent: boolean) => Severity; scope: 'all-resources' | 'any'; remediation: string; typeWide?: boolean }): FindingDraft[] {
  const set = actionListSet(list, ctx.expander);
  const why = new Map(list.actions.map((x) => [x.action.toLowerCase(), x.why]));
  // Principals sharing one effective object have the same documents in every layer (effective.ts
  // sharingKey), so the same type-wide answer: read once per object.
  const typeWideOf = new Map<object, readonly string[]>();
  return ctx.principals.flatMap((a) => {
    if (a.isAdmin) return [];
    let hitIds = set.intersectionIds(opts.scope === 'all-resources' ? a.effective.allResources : a.effective.unconditional);
    // `typeWide`: also what a pattern grants on every resource of its type (`secret:*`), which the
    // effective stage does not count as every resource (scope.ts wideByType); read only for
    // principals holding a listed action on some resource but not on `*` (session 36).
    let typeWide: readonly string[] = [];
    if (opts.typeWide && opts.scope === 'all-resources') {
      const some = set.intersectionIds(a.effective.unconditional).filter((id) => !a.effective.allResources.has(id));
      if (some.length > 0) {
        const known = typeWideOf.get(a.effective);
        typeWide = known ?? wideByType(ctx.expander, a.principal, some.map((id) => ctx.expander.catalog.actions[id]!.key), { ...(ctx.evidence ? { index: ctx.evidence } : {}), ...(ctx.snapshot.scps ? { scps: ctx.snapshot.scps } : {}) });
        if (!known) typeWideOf.set(a.effective, typeWide);
        if (typeWide.length > 0) hitIds = [...hitIds, ...typeWide.map((k) => ctx.expander.idOf(k))];
      }
    }
    if (hitIds.length === 0) return [];
    const hits = hitIds.map((id) => ctx.expander.catalog.actions[id]!.key);
    return [{
      principalArn: a.principal.arn,
      subject: opts.subject,
      severity: opts.severity(a.isAgent),
      title: `${a.principal.name} can ${opts.what}: ${listText(hits)}`,
      description: `This ${agentLabel(a.isAgent)} is allowed${opts.scope === 'all-resources' ? ' on every resource' : ''}: ${hits.map((h) => `${h} (${why.get(h.toLowerCase()) ?? ''})`).slice(0, 6).join('; ')}${hits.length > 6 ? `; and ${hits.length - 6} more` : ''}.${typeWide.length > 0 ? ` ${listText(typeWide)} ${typeWide.length === 1 ? 'is' : 'are'} granted on a pattern that names only the resource type (such as \`secret:*\`): that is every such resource.` : ''}`,
      evidence: statementEvidenceOfIds(ctx.expander, a.principal, hitIds, 6, ctx.evidence),
      actions: hits,
      remediation: opts.remediation,
    }];
  });
}
