import { defineCheck } from './types.js';
import { listText } from './evidence.js';
import { endText, pathEvidence, pathText } from '../graph/describe.js';
import { tierSets } from '../graph/power.js';
import { countsText, findingResources, namesText, unapproved, viewFor } from './resource-names.js';
import { ActionSet } from '../iam/action-set.js';
import { grantScope, ONE_STEP_LOWER, reachedScope, scopeVerdict, type Holder } from './scope.js';
import { markersFrom } from '../resources/markers.js';
import { typeWideBeyond, typeWideReader } from './widen.js';
import type { GraphNodeInternal } from '../graph/build.js';

export const agentReachesDestructive = defineCheck({
  id: 'agent-reaches-destructive',
  title: 'An AI agent reaches destructive actions through another principal',
  severity: 'high',
  rationale: 'The December 2025 outage was an agent deleting a live environment. An agent whose own role cannot delete anything, but which may assume a deploy role that can, can delete it. leash follows the agent\'s hops and names the destructive actions it gains and the path.',
  references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html'],
  run(ctx) {
    const g = ctx.graph;
    if (!g) return [];
    const label = (id: string) => g.node(id)?.label ?? id;
    const destructive = tierSets(ctx.expander).destructive;
    const view = viewFor(ctx);
    const markers = markersFrom(ctx.config.resources?.production);
    const index = ctx.evidence ? { index: ctx.evidence } : {};
    const key = (id: number) => ctx.expander.catalog.actions[id]!.key;
    // A holder's SCP levels are known for the scanned account only (elsewhere: none, never understated).
    const account = ctx.snapshot.account.id;
    const scpsOf = (p: Holder['principal']) => (p.arn.split(':')[4] === account ? ctx.snapshot.scps : undefined);
    const readTypeWide = typeWideReader(ctx);
    const beyond = typeWideBeyond(ctx, g, readTypeWide);
    return ctx.principals.flatMap((a) => {
      const drivenHuman = a.humanSession && a.agentEvidence.some((e) => e.kind.startsWith('cloudtrail-') || e.kind === 'local-config');
      if (a.isAdmin || !(a.isAgent || drivenHuman)) return [];
      // Reaching an administrator is reaches-admin's finding; this one is for the destructive middle ground.
      if (g.gains(a.principal.arn, 'possible') === 'admin') return [];
      const own = a.effective.unconditional;
      const self = g.node(a.principal.arn);
      for (const strength of ['proven', 'possible'] as const) {
        const reach = g.reachPower(a.principal.arn, strength);
        if (!reach) return [];
        const gained = reach.unconditional.clone().and(destructive).andNot(own);
        // Held itself only on named resources (scope.ts's rule), held on every resource by someone
        // it can act as: the rest of those resources are gained too (session 36).
        let wider = reach.allResources.clone().and(destructive).and(own).andNot(a.effective.allResources);
        // Or on every resource of its type (`table/*`, wideByType: strict), which the every-resource
        // set does not hold (session 37): read from every principal it can act as, once per run
        // (session 39; session 37 read at most 50 and silently left out a holder further out).
        const partial = reach.unconditional.clone().and(destructive).and(own).andNot(a.effective.allResources).andNot(reach.allResources);
        if (!partial.isEmpty() && self) {
          const w = beyond(self, strength);
          if (w) wider.or(w.clone().and(partial));
        }
        if (!wider.isEmpty()) {
          const s = grantScope(ctx.expander, a.principal, wider.toArray().map(key), { effective: a.effective, ...index, ...(ctx.snapshot.scps ? { scps: ctx.snapshot.scps } : {}) });
          wider = ActionSet.of(ctx.expander.size, s.scoped.map((x) => ctx.expander.idOf(x.action)));
        }
        if (gained.isEmpty() && wider.isEmpty()) continue;
        const typeWideAt = (n: GraphNodeInternal) => ((n.kind === 'user' || n.kind === 'role') && n.principal && n.effective ? readTypeWide(n.principal, n.effective, wider) : undefined);
        const path = g.path(a.principal.arn, (n) => n.effective !== undefined && (!n.effective.unconditional.clone().and(destructive).andNot(own).isEmpty() || !n.effective.allResources.clone().and(wider).isEmpty() || (typeWideAt(n)?.intersectionCount(wider) ?? 0) > 0));
        if (!path) return [];
        const count = gained.count() + wider.count();
        const widerKeys = wider.toArray().slice(0, 200).map(key);
        const actions = [...gained.toArray().slice(0, 200 - widerKeys.length).map(key), ...widerKeys];
        // With an inventory: the resources it can delete only as someone else, and through whom.
        const named = view?.summary(a.principal.arn, { kinds: ['delete'], which: 'through' });
        const first = named?.sample.find((e) => e.through);
        const via = first?.through ?? path.to;
        const namedPath = first?.path ?? path;
        const severity = strength === 'proven' ? 'high' as const : 'medium' as const;
        // Without named resources, where the principals it can act as hold what it gains: the rule
        // and wording of destructive-actions (scope.ts); only for an agent that has this finding.
        // More gained than listed: not all judged, so no scope said.
        const judged = !(named && named.count > 0) && count === actions.length;
        const holders = !judged ? [] : g.reachable(a.principal.arn, strength).flatMap((n): Holder[] => (n.principal && n.effective ? [{ principal: n.principal, effective: n.effective }] : []));
        const scope = !judged ? undefined : scopeVerdict(reachedScope(ctx.expander, holders, actions, { ...index, markers, scpsOf }));
        const itself = wider.isEmpty() ? 'This agent cannot do these itself' : `This agent may ${listText(widerKeys, 3)} itself only on named resources${gained.isEmpty() ? '' : ', and the others not at all'}`;
        return [{
          principalArn: a.principal.arn,
          subject: 'destructive-through-graph',
          severity: scope?.lower ? ONE_STEP_LOWER[severity] : severity,
          title: named && named.count > 0
            ? `${a.principal.name} can delete ${countsText(named)} (via ${label(via)})`
            : `${a.principal.name} can reach ${count} destructive action${count === 1 ? '' : 's'} through ${endText(path, label)}${scope?.only ? `, ${scope.only}` : ''}`,
          description: `${named && named.count > 0 ? `As ${label(via)} it can delete ${namesText(named)}; path: ${pathText(namedPath, label)}. ` : ''}${itself}, but it can act as ${endText(path, label)}: ${pathText(path, label)}. Gained without approval: ${listText(actions, 8)}.${strength === 'possible' ? ' The path needs a condition to hold, or existing compute to carry the role.' : ''}${scope?.text ?? ''}`,
          evidence: pathEvidence(path, label),
          actions,
          ...(named && named.count > 0 ? { resources: findingResources(named.sample.filter((e) => unapproved(e, ['delete'], 'through').length > 0), (e) => unapproved(e, ['delete'], 'through')) } : {}),
          remediation: 'Remove the agent from the trust policy of the role it does not need, or give the agent a boundary that denies sts:AssumeRole (and the other hops) without human approval.',
        }];
      }
      return [];
    });
  },
});
