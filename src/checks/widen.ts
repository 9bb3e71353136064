// Where a grant applies, in the graph's tiers (session 37). The graph ranks what a hop gains by
// comparing action sets (graph/power.ts `gain`): a caller that holds dynamodb:DeleteTable only on
// `table/kiro-scratch-*` "already has" it, so a role it can assume that holds it on every table
// adds nothing there. These helpers let a check ask again, only where that matters: which ranked
// actions the caller holds only on named resources (its statements, scope.ts `grantScope`), and
// which of them a reached principal holds on every resource of their type (scope.ts
// `wideByType`, strict), beyond the effective stage's `*`-forms.
import type { CheckContext, AnalyzedPrincipal } from './types.js';
import type { EffectivePermissions } from '../iam/effective.js';
import type { Principal, Snapshot } from '../model/snapshot.js';
import type { GraphNodeInternal } from '../graph/build.js';
import { ActionSet } from '../iam/action-set.js';
import { tierSets } from '../graph/power.js';
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

/** The caller's ranked ids held on some resource but not in its every-resource set (a bitset question; statements come later). */
export function partlyHeld(ctx: Pick<CheckContext, 'expander'>, a: Pick<AnalyzedPrincipal, 'effective'>): ActionSet {
  // From the ranked set (a few hundred ids), not the principal's (often most of the catalog).
  return rankedForWidening(ctx).clone().and(a.effective.unconditional).andNot(a.effective.allResources);
}
