// Where an action's Allow layers and Denies leave it (sessions 40–42): the identity policies, the
// permissions boundary and each SCP level each allow an action only on their Resource patterns, and
// a Deny with NotResource leaves it only inside its list; the request evaluator allows it only
// where all of them do. `withinLayer` and `leftWithin` intersect pattern lists (arn-intersect.ts)
// for checks/scope.ts, which says where a grant applies; `leftNowhere` asks them, for the effective
// stage (effective.ts), which actions are left on no resource at all. Both read one intersection,
// so where a check says "allowed nowhere" the effective stage has either dropped the action or
// could not prove it (a policy variable, a bound).
import type { PolicyDocument, Statement } from '../model/policy.js';
import { intersectPatterns, type Intersection } from './arn-intersect.js';
import { gatesOnApproval } from './conditions.js';
import type { ActionExpander } from './pattern.js';
import { referencesCallerKey, residualCondition, type PrincipalFacts } from './principal-context.js';
import type { ActionSet } from './action-set.js';

// Per document: does it have a Deny with NotResource at all (most have none, and are passed over)?
const hasNotResourceDeny = new WeakMap<PolicyDocument, boolean>();
export function mayLeaveNamed(d: PolicyDocument): boolean {
  let v = hasNotResourceDeny.get(d);
  if (v === undefined) hasNotResourceDeny.set(d, (v = d.statements.some((st) => st.effect === 'Deny' && st.notResource !== undefined)));
  return v;
}

/** Past this many pieces, a granted pattern is kept as it was (a superset); `*` is always the Deny's own patterns. */
export const MAX_PIECES = 16;
/** Past this many patterns (beyond the Deny's own), a further Deny is not read: what was left stays (a superset). */
export const MAX_LEFT = 64;

/**
 * Where `granted` (the patterns an Allow layer grants the action on, `*` for every resource) is
 * left by the Denies: each Deny's NotResource intersected in turn (arn-intersect.ts). Each
 * pattern's intersections stand apart (a named grant inside a wide one is not folded into it:
 * adding an Allow only adds patterns). Never narrower than where the action applies; empty when
 * provably no resource is left. Bounded: one pattern's pieces, and the patterns a Deny leaves.
 */
export function leftWithin(granted: readonly string[], denies: readonly (readonly string[])[], wide: (r: string) => boolean = (r) => r === '*'): string[] {
  let cur = [...new Set(granted)];
  for (const notResource of denies) {
    const next = new Set<string>();
    for (const a of cur) {
      const pieces: string[] = [];
      for (const x of notResource) {
        const r = intersectPatterns(a, x);
        pieces.push(...patternsOf(r, a, x, wide));
        // `a` lies inside this pattern: what the others leave of it lies inside `a`.
        if (r.exact && r.patterns.length === 1 && r.patterns[0] === a) break;
      }
      for (const y of !wide(a) && pieces.length > MAX_PIECES ? [a] : pieces) next.add(y);
    }
    if (next.size <= MAX_LEFT + notResource.length) cur = [...next];
  }
  return cur;
}

/** Past this many named × named pattern pairs, an Allow layer does not cut the named patterns (kept whole: a superset). */
export const MAX_PAIRS = 4_096;

/** One pair's intersection, for a running pattern `a` and another `x`: where `a` is wide (`*`, `table/*`) and the exact answer is not known, `x` (a superset too, never wider than `a`); else `a`. */
function meet(a: string, x: string, wide: (r: string) => boolean): readonly string[] {
  return patternsOf(intersectPatterns(a, x), a, x, wide);
}
function patternsOf(r: Intersection, a: string, x: string, wide: (r: string) => boolean): readonly string[] {
  return r.exact ? r.patterns : wide(a) ? [x] : [a];
}

/**
 * Where the running patterns `cur` and one more Allow layer's `layer` both grant (session 41):
 * each running pattern intersected with each of the layer's (arn-intersect.ts), its pieces
 * standing apart. Unlike a Deny's NotResource, no pattern stops at the first that contains it: a
 * layer of `*` beside `table/prod-*` keeps prod-* pieces, so adding an Allow to any layer only
 * adds patterns (and never hides a production name). A wide running pattern (`*`, `table/*`) is
 * never kept whole where the layer says more: it becomes the layer's pieces, unbounded. A named
 * pattern cut into more than MAX_PIECES, too many named pairs (MAX_PAIRS), or a list grown past
 * MAX_LEFT beyond the layer's own and past what it was, keeps named patterns whole (a superset);
 * never wider than before the layer.
 */
export function withinLayer(cur: readonly string[], layer: readonly string[], wide: (r: string) => boolean = (r) => r === '*'): string[] {
  const whole = () => [...new Set(cur.flatMap((a) => (wide(a) ? layer.flatMap((x) => meet(a, x, wide)) : [a])))];
  const named = cur.reduce((n, a) => n + (wide(a) ? 0 : 1), 0);
  if (named * layer.length > MAX_PAIRS) return whole();
  const next = new Set<string>();
  for (const a of cur) {
    const pieces = layer.flatMap((x) => meet(a, x, wide));
    for (const y of !wide(a) && pieces.length > MAX_PIECES ? [a] : pieces) next.add(y);
  }
  return next.size > Math.max(MAX_LEFT + layer.length, cur.length) ? whole() : [...next];
}


/** The layer that left an action nothing: the permissions boundary, an SCP level, or a Deny with NotResource. */
export type NowhereLayer = 'boundary' | 'scp' | 'deny';

/** An action the effective stage dropped as allowed on no resource, and why (session 42). */
export interface NowhereAction {
  readonly action: string;
  /** The layer that left nothing of what the layers before it allow. */
  readonly layer: NowhereLayer;
  /** That layer's patterns for the action (a Deny's: its NotResource list). */
  readonly allows: readonly string[];
  /** Left nowhere only without approval: still allowed behind an approval condition. */
  readonly approvalOnly?: true;
}

/** One Allow layer's documents: the identity policies first, then the boundary, then each SCP level. */
export interface AllowLayerDocs { readonly kind: 'identity' | NowhereLayer; readonly docs: readonly PolicyDocument[] }

interface Ref { readonly n: number; readonly set: ActionSet; readonly patterns: readonly string[]; readonly gated: boolean }

/** A document's statements as action sets, one per statement in order (effective.ts statementSetsOf). */
export type StatementSets = (doc: PolicyDocument) => readonly ActionSet[];

/**
 * Which of `candidates` (action ids the layers allow by action) the layers leave on no resource,
 * provably: each layer's patterns (every Allow statement covering the action that may apply to the
 * principal, by its Resource — NotResource or none as `*`, a Condition never narrowing) intersected
 * in turn, then every unconditional Deny with NotResource (Action, not NotAction; no Resource),
 * and nothing left. Intersections are exact or a superset, so an empty answer is proof. Never
 * decided where a pattern holds a policy variable (its value is not known here). `unconditional`:
 * those also read without the approval-gated Allows (left nowhere without approval only).
 * Actions with the same covering statements are answered once.
 */
export function leftNowhere(layers: readonly AllowLayerDocs[], candidates: readonly number[], unconditional: ActionSet, expander: ActionExpander, setsOf: StatementSets, facts?: () => PrincipalFacts): NowhereAction[] {
  const counter = { n: 0 };
  const allows: Ref[][] = layers.map((l) => refsOf(l.docs, setsOf, facts, 'Allow', counter));
  const denies: Ref[] = layers.flatMap((l) => refsOf(l.docs, setsOf, facts, 'Deny', counter));
  const out: NowhereAction[] = [];
  const answers = new Map<string, { all?: Omit<NowhereAction, 'action'>; uncond?: Omit<NowhereAction, 'action'> } | null>();
  for (const id of candidates) {
    // The statements covering it, as a key: actions with the same ones get the same answer (and
    // whether it is unconditional: an approval-gated Deny elsewhere can take one out and not another).
    const covering = allows.map((refs) => refs.filter((r) => r.set.has(id)));
    const against = denies.filter((r) => r.set.has(id));
    const key = `${unconditional.has(id) ? 'u' : ''}${[...covering, against].map((refs) => refs.map((r) => r.n).join(',')).join('|')}`;
    let answer = answers.get(key);
    if (answer === undefined) answers.set(key, (answer = decide(layers, covering, against, unconditional.has(id))));
    if (answer === null) continue;
    const action = expander.catalog.actions[id]!.key;
    if (answer.all) out.push({ action, ...answer.all });
    else if (answer.uncond && unconditional.has(id)) out.push({ action, ...answer.uncond, approvalOnly: true });
  }
  return out;
}

function decide(layers: readonly AllowLayerDocs[], covering: readonly Ref[][], denies: readonly Ref[], unconditional: boolean): { all?: Omit<NowhereAction, 'action'>; uncond?: Omit<NowhereAction, 'action'> } | null {
  const lists = covering.map((refs) => [...new Set(refs.flatMap((r) => r.patterns))]);
  const denyLists = denies.map((r) => r.patterns);
  // A layer without a statement found decides nothing here (the action-level sets decided it).
  if (lists.some((l) => l.length === 0)) return null;
  if ([...lists, ...denyLists].some((l) => l.some((x) => x.includes('${')))) return null;
  const all = emptyAt(layers, lists, denyLists);
  if (all) return { all };
  if (!unconditional || !covering.some((refs) => refs.some((r) => r.gated))) return null;
  const ungated = covering.map((refs) => [...new Set(refs.filter((r) => !r.gated).flatMap((r) => r.patterns))]);
  if (ungated.some((l) => l.length === 0)) return null;
  const uncond = emptyAt(layers, ungated, denyLists);
  return uncond ? { uncond } : null;
}

/** The layer (or Deny) after which nothing is left, with its patterns; undefined when something may be. */
function emptyAt(layers: readonly AllowLayerDocs[], lists: readonly string[][], denies: readonly (readonly string[])[]): Omit<NowhereAction, 'action' | 'approvalOnly'> | undefined {
  // At most one layer narrowing and no Deny: what that layer allows is left.
  if (denies.length === 0 && lists.filter((l) => !l.includes('*')).length < 2) return undefined;
  let cur = lists[0]!;
  for (let i = 1; i < lists.length; i++) {
    cur = withinLayer(cur, lists[i]!);
    if (cur.length === 0) return { layer: layers[i]!.kind as NowhereLayer, allows: lists[i]! };
  }
  for (const d of denies) {
    cur = leftWithin(cur, [d]);
    if (cur.length === 0) return { layer: 'deny', allows: d };
  }
  return undefined;
}

/**
 * A layer's Allow statements (or its decidable Denies with NotResource) with their action sets and
 * patterns; a statement whose Condition can never hold for this principal is left out, as the
 * effective stage leaves it out.
 */
function refsOf(docs: readonly PolicyDocument[], setsOf: StatementSets, facts: (() => PrincipalFacts) | undefined, effect: Statement['effect'], counter: { n: number }): Ref[] {
  const out: Ref[] = [];
  for (const d of docs) {
    if (effect === 'Deny' && !mayLeaveNamed(d)) continue;
    const sets = setsOf(d);
    d.statements.forEach((st, k) => {
      if (st.effect !== effect) return;
      let condition = st.condition;
      if (condition && Object.keys(condition).length > 0 && facts && referencesCallerKey(condition)) {
        const r = residualCondition(condition, facts(), d.version !== '2008-10-17');
        if (r === false) return;
        condition = r;
      }
      if (effect === 'Deny') {
        // Decidable only unconditional, with Action (not NotAction) and NotResource alone.
        if (st.action === undefined || st.notResource === undefined || st.resource !== undefined || st.notResource.length === 0) return;
        if (st.condition !== undefined && Object.keys(st.condition).length > 0) return;
        out.push({ n: counter.n++, set: sets[k]!, patterns: st.notResource, gated: false });
        return;
      }
      const patterns = st.notResource || st.resource === undefined ? ['*'] : st.resource;
      out.push({ n: counter.n++, set: sets[k]!, patterns, gated: condition !== undefined && Object.keys(condition).length > 0 && gatesOnApproval(condition, 'Allow') });
    });
  }
  return out;
}
