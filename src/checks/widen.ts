// Where a grant applies, in the graph's tiers (session 37). The graph ranks what a hop gains by
// comparing action sets (graph/power.ts `gain`): a caller that holds dynamodb:DeleteTable only on
// `table/kiro-scratch-*` "already has" it, so a role it can assume that holds it on every table
// adds nothing there. These helpers let a check ask again, only where that matters: which ranked
// actions the caller holds only on named resources (its statements, scope.ts `grantScope`), and
// which of them a reached principal holds on every resource of their type (scope.ts
// `wideByType`, strict), beyond the effective stage's `*`-forms.
//
// Session 38: the same definition answers the report's reach summary (`reachWidener`, the whole
// reach: `graph.reach[].gains`) and the fix stage's reach guards (`widenFor` over assume edges,
// as privilege-escalation asks it over its judged techniques).
//
// Session 39: type-wide grants are read over everything a target reaches (`typeWideBeyond`, a
// union per component of the graph's condensation), not only at the edge's own target or the
// first 50 principals of a reach: a role behind a hub role holding `table/*` widens the hop to
// the hub, in the check, the summary and the guards alike, with no bound that hides one further out.
import type { CheckContext, AnalyzedPrincipal } from './types.js';
import type { EffectivePermissions } from '../iam/effective.js';
import type { Principal, Snapshot } from '../model/snapshot.js';
import type { GraphNodeInternal } from '../graph/build.js';
import type { AccessGraph, ReachWiden, Strength, Widen } from '../graph/index.js';
import { ActionSet } from '../iam/action-set.js';
import { tierSets, type PowerSets } from '../graph/power.js';
import { followedActions } from '../graph/techniques.js';
import { grantScope, wideByType, type GrantScope } from './scope.js';

/** At most this many actions of one caller are read from its statements (more: the first ones, in catalog order). */
export const WIDEN_MAX = 200;

const rankedCache = new WeakMap<object, ActionSet>();

/** IAM write, destructive and credential access, less the IAM/STS hop actions the graph follows itself. */
export function rankedForWidening(ctx: Pick<CheckContext, 'expander'>): ActionSet {
  let s = rankedCache.get(ctx.expander);
  if (!s) {
    const t = tierSets(ctx.expander);
    s = t.iamWrite.clone().or(t.destructive).or(t.credentialAccess).andNot(followedActions(ctx.expander));
    rankedCache.set(ctx.expander, s);
  }
  return s;
}

/**
 * Of `candidates` (ids the principal holds on some resource, not in its every-resource set),
 * those its statements grant only on named resources, with where (grantScope: a type-wide pattern
 * such as `table/*`, NotResource or a layer with no statement found counts as everywhere).
 */
export function heldOnlyOnNamed(ctx: Pick<CheckContext, 'expander' | 'evidence' | 'snapshot'>, p: Principal, effective: EffectivePermissions, candidates: readonly number[]): { readonly ids: ActionSet; readonly scope: GrantScope } {
  const keys = candidates.slice(0, WIDEN_MAX).map((id) => ctx.expander.catalog.actions[id]!.key);
  const scope = grantScope(ctx.expander, p, keys, { effective, ...(ctx.evidence ? { index: ctx.evidence } : {}), ...(ctx.snapshot.scps ? { scps: ctx.snapshot.scps } : {}) });
  return { ids: ActionSet.of(ctx.expander.size, scope.scoped.map((x) => ctx.expander.idOf(x.action))), scope };
}

/**
 * A reader of "which of these ids does this principal hold on every resource of their type,
 * beyond its every-resource set" (wideByType), one answer per (principal's effective object, id)
 * for the whole run: many callers reach the same roles. SCPs only for the scanned account's
 * principals (elsewhere none is known: wide, as wideByType reads a missing layer).
 */
export function typeWideReader(ctx: Pick<CheckContext, 'expander' | 'evidence' | 'snapshot'>): (p: Principal, effective: EffectivePermissions, ids: ActionSet) => ActionSet | undefined {
  const answers = new WeakMap<EffectivePermissions, Map<number, boolean>>();
  const account = ctx.snapshot.account.id;
  const scpsOf = (p: Principal): Snapshot['scps'] => (p.arn.split(':')[4] === account ? ctx.snapshot.scps : undefined);
  return (p, effective, ids) => {
    const asked = effective.unconditional.intersectionIds(ids).filter((id) => !effective.allResources.has(id));
    if (asked.length === 0) return undefined;
    let known = answers.get(effective);
    if (!known) answers.set(effective, (known = new Map()));
    const unread = asked.filter((id) => !known!.has(id));
    if (unread.length > 0) {
      const scps = scpsOf(p);
      const wide = new Set(wideByType(ctx.expander, p, unread.map((id) => ctx.expander.catalog.actions[id]!.key), { ...(ctx.evidence ? { index: ctx.evidence } : {}), ...(scps ? { scps } : {}) }).map((k) => ctx.expander.idOf(k)));
      for (const id of unread) known.set(id, wide.has(id));
    }
    const out = asked.filter((id) => known!.get(id));
    return out.length > 0 ? ActionSet.of(ctx.expander.size, out) : undefined;
  };
}

/** The graph's `widen.at` for a reader: principals only (a state's power is not its statements). */
export function typeWideAt(read: ReturnType<typeof typeWideReader>, ids: ActionSet): (target: GraphNodeInternal) => ActionSet | undefined {
  return (t) => ((t.kind === 'user' || t.kind === 'role') && t.principal && t.effective ? read(t.principal, t.effective, ids) : undefined);
}

/**
 * The graph's `widen.beyond` for a reader (session 39): the ranked actions held type-wide by
 * anything a target reaches at a strength, itself included (graph reach `unionOver`: one union
 * per component of the condensation, each principal read once, per graph and reader). A role
 * behind a hub role is read as the hub's own grants are, with no bound on how many principals
 * lie behind it: the reader's answers and the unions are kept for the run.
 */
export function typeWideBeyond(ctx: Pick<CheckContext, 'expander'>, graph: AccessGraph, read: ReturnType<typeof typeWideReader>): NonNullable<Widen['beyond']> {
  let byReader = beyondMemo.get(graph.built);
  if (!byReader) beyondMemo.set(graph.built, (byReader = new WeakMap()));
  let b = byReader.get(read);
  if (!b) {
    const ranked = rankedForWidening(ctx);
    const perNode = (n: GraphNodeInternal) => ((n.kind === 'user' || n.kind === 'role') && n.principal && n.effective ? read(n.principal, n.effective, ranked) : undefined);
    const unions: Partial<Record<Strength, (node: number) => ActionSet | undefined>> = {};
    const f: NonNullable<Widen['beyond']> = (t, strength) => (unions[strength] ??= graph.reach.unionOver(strength, perNode))(t.index);
    byReader.set(read, (b = f));
  }
  return b;
}
const beyondMemo = new WeakMap<object, WeakMap<ReturnType<typeof typeWideReader>, NonNullable<Widen['beyond']>>>();

/** The caller's ranked ids held on some resource but not in its every-resource set (a bitset question; statements come later). */
export function partlyHeld(ctx: Pick<CheckContext, 'expander'>, a: Pick<AnalyzedPrincipal, 'effective'>): ActionSet {
  // From the ranked set (a few hundred ids), not the principal's (often most of the catalog).
  return rankedForWidening(ctx).clone().and(a.effective.unconditional).andNot(a.effective.allResources);
}

/**
 * One type-wide reader per snapshot and expander for the stages after the checks (the report's
 * reach summary, the fix stage's guards): answers kept for the run, as a check run keeps its own.
 * No evidence index there (the checks' is not kept): views are made per principal read.
 */
export function sharedTypeWideReader(ctx: Pick<CheckContext, 'expander' | 'snapshot'>): ReturnType<typeof typeWideReader> {
  let byExpander = sharedReaders.get(ctx.snapshot);
  if (!byExpander) sharedReaders.set(ctx.snapshot, (byExpander = new WeakMap()));
  let r = byExpander.get(ctx.expander);
  if (!r) byExpander.set(ctx.expander, (r = typeWideReader({ expander: ctx.expander, snapshot: ctx.snapshot })));
  return r;
}
const sharedReaders = new WeakMap<Snapshot, WeakMap<object, ReturnType<typeof typeWideReader>>>();

/**
 * A caller's `widen` for the graph's edges of the techniques `match` accepts (session 37): its
 * ranked actions held on some resource but not every one (bitsets); a first pass over those edges
 * with all of them finds the ones some far side holds on every resource; only those are read from
 * its statements (grantScope), and what they grant only on named resources is what the graph is
 * asked with. Undefined: nothing to widen. privilege-escalation asks it over its judged
 * techniques, the fix stage's reach guards over assume edges (session 38).
 */
export function widenFor(ctx: Pick<CheckContext, 'expander' | 'evidence' | 'snapshot'>, graph: AccessGraph, a: Pick<AnalyzedPrincipal, 'principal' | 'effective'>, match: (technique: string) => boolean, read: ReturnType<typeof typeWideReader>): { widen: Widen; scope: GrantScope } | undefined {
  const partly = partlyHeld(ctx, a);
  if (partly.isEmpty()) return undefined;
  const beyond = typeWideBeyond(ctx, graph, read);
  const candidates = new Set<number>();
  for (const x of graph.escalatingEdges(a.principal.arn, match, { ids: partly, at: typeWideAt(read, partly), beyond })) for (const id of x.widened ?? []) candidates.add(id);
  if (candidates.size === 0) return undefined;
  const { ids, scope } = heldOnlyOnNamed(ctx, a.principal, a.effective, [...candidates].sort((x, y) => x - y));
  if (ids.isEmpty()) return undefined;
  return { widen: { ids, at: typeWideAt(read, ids), beyond }, scope };
}

/**
 * The report's reach summary asked by where (graph `ReachWiden`, session 38): of a principal's
 * ranked actions held on some resource but not every one, those its whole reach holds on every
 * resource (the reach's every-resource set, or type-wide grants of every principal it can act as,
 * strict as wideByType: `typeWideBeyond`, session 39; session 38 read at most 50 of them, and a
 * widening further out was silently left out of `gains`), then confirmed from its own statements
 * (grantScope: `table/*`, an Allow with NotResource or a layer without statements count as every
 * resource, and nothing is widened). A word-wise test first: most principals hold no ranked
 * action on named resources only, and pay one pass over their bits.
 */
export function reachWidener(ctx: Pick<CheckContext, 'expander' | 'snapshot'>, graph: AccessGraph): ReachWiden {
  const ranked = rankedForWidening(ctx);
  const read = sharedTypeWideReader(ctx);
  const beyond = typeWideBeyond(ctx, graph, read);
  return (n: GraphNodeInternal, reach: PowerSets): Widen | undefined => {
    const p = n.principal, eff = n.effective;
    if (!p || !eff || !eff.unconditional.gainsIn(eff.allResources, ranked)) return undefined;
    const partly = partlyHeld(ctx, { effective: eff });
    const wide = reach.allResources.clone().and(partly);
    // Type-wide grants (`table/*`) of the principals it reaches, for the ids no every-resource set answered.
    if (wide.count() < partly.count()) {
      const w = beyond(n, 'possible');
      if (w) wide.or(w).and(partly);
    }
    if (wide.isEmpty()) return undefined;
    const { ids } = heldOnlyOnNamed({ expander: ctx.expander, snapshot: ctx.snapshot }, p, eff, wide.toArray());
    if (ids.isEmpty()) return undefined;
    return { ids, at: typeWideAt(read, ids), beyond };
  };
}
