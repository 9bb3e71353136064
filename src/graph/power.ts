// Power, compared by a stated order (issue 9): administrator; then IAM write, destructive
// actions, credential access, data reads on every resource; then the rest. A target "gives more"
// only in the first tier where it has something the source lacks — an ECS task-execution role
// that pulls images and writes logs adds only "other", which is lateral movement, not escalation.
import { ActionSet } from '../iam/action-set.js';
import type { ActionExpander } from '../iam/pattern.js';
import type { EffectivePermissions } from '../iam/effective.js';
import { POWER_TIERS, type PowerSummary, type PowerTier } from '../model/graph.js';
import { destructiveActions } from '../checks/data.js';
import { credentialExposureActions, exfiltrationActions } from '../checks/action-lists.js';
import powerTiers from '../data/power-tiers.json' with { type: 'json' };

export interface PowerSets {
  /** Allowed without approval on some resource. */
  readonly unconditional: ActionSet;
  /** Allowed without approval on every resource. */
  readonly allResources: ActionSet;
  readonly admin: boolean;
}

export interface TierSets {
  readonly iamWrite: ActionSet;
  readonly destructive: ActionSet;
  readonly credentialAccess: ActionSet;
  readonly dataRead: ActionSet;
}

const tierCache = new WeakMap<ActionExpander, TierSets>();

/** The tier sets, from the catalog (IAM write = iam actions of access level Write or Permissions management) and leash's lists. */
export function tierSets(expander: ActionExpander): TierSets {
  let t = tierCache.get(expander);
  if (t) return t;
  // Actions every runtime role holds do not rank (src/data/power-tiers.json).
  const unranked = new Set(powerTiers.notRanked.map((a) => a.action.toLowerCase()));
  const ids = (keys: readonly string[]) => ActionSet.of(expander.size, keys.filter((k) => !unranked.has(k.toLowerCase())).map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined));
  const iam = (expander.catalog.byService.get('iam') ?? []).filter((a) => a.accessLevels.includes('Write') || a.accessLevels.includes('Permissions management'));
  t = {
    iamWrite: ActionSet.of(expander.size, iam.map((a) => a.id)),
    destructive: ids(destructiveActions().map((d) => d.action)),
    credentialAccess: ids(credentialExposureActions.actions.map((a) => a.action)),
    dataRead: ids(exfiltrationActions.actions.map((a) => a.action)),
  };
  tierCache.set(expander, t);
  return t;
}

const selfGrantCache = new WeakMap<ActionExpander, ActionSet>();

/** The IAM policy writes by which a principal grants itself anything (src/data/power-tiers.json `administrator`). */
export function selfGrantActions(expander: ActionExpander): ActionSet {
  let s = selfGrantCache.get(expander);
  if (!s) selfGrantCache.set(expander, (s = ActionSet.of(expander.size, powerTiers.administrator.grantsItselfAnyOf.map((k) => expander.catalog.lookup(k)?.id).filter((x): x is number => x !== undefined))));
  return s;
}

/**
 * Administrator, for every check and the graph alike: at least 99 % of the catalog on every
 * resource without approval, and one IAM policy write with which it can grant itself the rest.
 * "Everything but IAM" (NotAction iam:*) is not an administrator: it cannot change what it may do.
 */
export function isAdminSet(allResources: ActionSet, expander: ActionExpander): boolean {
  return allResources.count() >= expander.size * 0.99 && allResources.intersectionCount(selfGrantActions(expander)) > 0;
}

export function powerOf(eff: Pick<EffectivePermissions, 'unconditional' | 'allResources'>, expander: ActionExpander): PowerSets {
  return { unconditional: eff.unconditional, allResources: eff.allResources, admin: isAdminSet(eff.allResources, expander) };
}

export function summarizePower(p: PowerSets, expander: ActionExpander): PowerSummary {
  const t = tierSets(expander);
  return {
    admin: p.admin,
    iamWrite: p.unconditional.intersectionCount(t.iamWrite),
    destructive: p.unconditional.intersectionCount(t.destructive),
    credentialAccess: p.unconditional.intersectionCount(t.credentialAccess),
    dataRead: p.allResources.intersectionCount(t.dataRead),
    total: p.unconditional.count(),
  };
}

/** |(a ∧ tier) − b| > 0, without allocating. */
function gainsIn(a: ActionSet, b: ActionSet, tier: ActionSet): boolean {
  return a.gainsIn(b, tier);
}

/** The first tier in which `target` has power `source` lacks; undefined when it adds nothing at all. */
export function gain(target: PowerSets, source: PowerSets, expander: ActionExpander): PowerTier | undefined {
  if (source.admin) return undefined;
  if (target.admin) return 'admin';
  const t = tierSets(expander);
  if (gainsIn(target.unconditional, source.unconditional, t.iamWrite)) return 'iam-write';
  if (gainsIn(target.unconditional, source.unconditional, t.destructive)) return 'destructive';
  if (gainsIn(target.unconditional, source.unconditional, t.credentialAccess)) return 'credential-access';
  if (gainsIn(target.allResources, source.allResources, t.dataRead)) return 'data-read';
  if (target.unconditional.differenceCount(source.unconditional) > 0) return 'other';
  return undefined;
}

/**
 * What `gain` cannot see (session 37): it compares action sets, so a caller that holds an action
 * only on named resources "already has" it, and a target holding it on every resource adds
 * nothing. `held` is the caller's ranked actions it holds only on named resources (the checks
 * decide that from statements, scope.ts `grantScope`), split by tier once per caller.
 */
export interface HeldOnSome {
  readonly iamWrite: ActionSet;
  readonly destructive: ActionSet;
  readonly credentialAccess: ActionSet;
}

export function heldOnSome(held: ActionSet, expander: ActionExpander): HeldOnSome {
  const t = tierSets(expander);
  return { iamWrite: held.clone().and(t.iamWrite), destructive: held.clone().and(t.destructive), credentialAccess: held.clone().and(t.credentialAccess) };
}

/**
 * The first ranked tier in which `wide` (what a target holds on every resource) covers an action
 * the caller holds only on named resources: reaching it gains the rest of that action's resources.
 * Data reads are absent: `gain` already compares them on every resource.
 */
export function widerTier(held: HeldOnSome, wide: ActionSet): PowerTier | undefined {
  if (wide.intersectionCount(held.iamWrite) > 0) return 'iam-write';
  if (wide.intersectionCount(held.destructive) > 0) return 'destructive';
  if (wide.intersectionCount(held.credentialAccess) > 0) return 'credential-access';
  return undefined;
}

/**
 * Of `ids` (a caller's ranked actions held only on named resources, split by tier in `held`),
 * those a far side holds on every resource: `wide` (its reach's every-resource set) and `extra`
 * (type-wide grants the caller read, graph `Widen.at`), with the first ranked tier they widen;
 * undefined when none. One definition for the escalation edges (session 37), the report's reach
 * summary and the fix's reach guards (session 38).
 */
export function widenedBy(held: HeldOnSome, ids: ActionSet, wide: ActionSet, extra: ActionSet | undefined): { readonly tier: PowerTier; readonly ids: number[] } | undefined {
  let tier = widerTier(held, wide);
  const t = extra ? widerTier(held, extra) : undefined;
  if (t && (!tier || above(t, tier))) tier = t;
  if (!tier) return undefined;
  const out = wide.intersectionIds(ids);
  if (extra) for (const id of extra.intersectionIds(ids)) if (!out.includes(id)) out.push(id);
  return { tier, ids: out };
}

/** Is tier `a` above `b` in the stated order (undefined: no gain, below every tier)? */
export function above(a: PowerTier, b: PowerTier | undefined): boolean {
  return b === undefined || POWER_TIERS.indexOf(a) < POWER_TIERS.indexOf(b);
}

/** A target's power as `escalatesOver` reads it: whether it is admin, and its ids in each ranked tier. */
export interface GainFacts {
  readonly admin: boolean;
  /** Its unconditional ids that are IAM write, destructive or credential access. */
  readonly unconditional: Uint32Array;
  /** Its ids on every resource that are data reads. */
  readonly allResources: Uint32Array;
}

export function gainFacts(target: PowerSets, expander: ActionExpander): GainFacts {
  const t = tierSets(expander);
  const u = new Set<number>();
  for (const tier of [t.iamWrite, t.destructive, t.credentialAccess]) for (const id of target.unconditional.intersectionIds(tier)) u.add(id);
  return { admin: target.admin, unconditional: Uint32Array.from(u), allResources: Uint32Array.from(target.allResources.intersectionIds(t.dataRead)) };
}

/**
 * `escalates(gain(target, source))` for a target prepared once (gainFacts): the graph asks it per
 * (caller, group), and both grow with the account (1,000 groups at 50,000 principals); walking the
 * target's few ranked ids, stopping at the first the source lacks, replaces four passes over the
 * catalog's words per pair.
 */
export function escalatesOver(target: GainFacts, source: PowerSets): boolean {
  if (source.admin) return false;
  if (target.admin) return true;
  for (let i = 0; i < target.unconditional.length; i++) if (!source.unconditional.has(target.unconditional[i]!)) return true;
  for (let i = 0; i < target.allResources.length; i++) if (!source.allResources.has(target.allResources[i]!)) return true;
  return false;
}

/** Tiers that count as escalation (everything above "other"). */
export function escalates(tier: PowerTier | undefined): boolean {
  return tier !== undefined && tier !== 'other';
}

export function unionPower(into: { unconditional: ActionSet; allResources: ActionSet; admin: boolean }, p: PowerSets): void {
  into.unconditional.or(p.unconditional);
  into.allResources.or(p.allResources);
  if (p.admin) into.admin = true;
}
