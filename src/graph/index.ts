// The graph stage's face to the rest of the pipeline: build once per scan (over one account or
// several), then answer what checks, fixes, reports and `leash paths` ask.
import type { GraphEdge, GraphPath, GraphSummary, PathHop, PowerTier, PrincipalReach } from '../model/graph.js';
import type { ActionExpander } from '../iam/pattern.js';
import { buildGraph, type AccountInput, type BuildOptions, type BuiltGraph, type GraphNodeInternal } from './build.js';
import { above, escalates, gain, heldOnSome, summarizePower, widenedBy, widerTier, type PowerSets } from './power.js';
import type { ActionSet } from '../iam/action-set.js';
import { joinCarriers } from './carriers.js';
import { gainThroughReach, reachIndex, shortestPath, type ReachIndex, type Strength } from './reach.js';
import { storedHopMarks } from './stored-hops.js';

export type { AccountInput } from './build.js';
export type { Strength } from './reach.js';

/** What the caller holds only on named resources, for escalatingEdges (session 37). */
export interface Widen {
  /** Ranked actions the caller holds only on named resources (decided from its statements). */
  readonly ids: ActionSet;
  /** Actions the edge's own target holds on every resource beyond its every-resource set (type-wide patterns), if the caller reads them. */
  readonly at?: (target: GraphNodeInternal) => ActionSet | undefined;
  /**
   * The same, over everything the target reaches at a strength, itself included (session 39): a
   * role behind a hub role holding `table/*` widens the hop to the hub, as its `*` always did
   * through the reach's every-resource set. escalatingEdges asks it before `at`.
   */
  readonly beyond?: (target: GraphNodeInternal, strength: Strength) => ActionSet | undefined;
}

/**
 * The reach summary asked by where (session 38), as escalatingEdges is: for a principal whose
 * reach gains less than administrator, the ranked actions it holds only on named resources that
 * something it reaches holds on every resource (`ids`), and the type-wide grants read at the
 * principals it reaches (`at`, for the path to one). Made by checks/widen.ts `reachWidener`, which
 * decides "only on named resources" from statements; undefined: nothing widened.
 */
export type ReachWiden = (n: GraphNodeInternal, reach: PowerSets) => Widen | undefined;

export interface EscalatingEdge {
  readonly edge: GraphEdge;
  readonly adds: PowerTier;
  readonly strength: Strength;
  readonly target: GraphNodeInternal;
  /** Of `widen.ids`, those the far side holds on every resource (whether or not they decide `adds`). */
  readonly widened?: readonly number[];
}

export interface AccessGraph {
  readonly built: BuiltGraph;
  readonly reach: ReachIndex;
  node(arn: string): GraphNodeInternal | undefined;
  /** The first tier the principal gains through others, by strength (undefined: none). */
  gains(arn: string, strength: Strength): PowerTier | undefined;
  /** Power of everything the principal reaches. */
  reachPower(arn: string, strength: Strength): PowerSets | undefined;
  /** Shortest path from a principal to a node that satisfies `goal`. */
  path(arn: string, goal: (n: GraphNodeInternal) => boolean): GraphPath | undefined;
  /** Shortest path to an administrator: proven hops if there is one, else any. */
  pathToAdmin(arn: string): GraphPath | undefined;
  /**
   * Out-edges of a principal whose technique is `technique` and whose far side gives more (escalation tiers only).
   * `widen` (session 37): the caller's ranked actions it holds only on named resources; an edge
   * whose far side holds one on every resource (its reach's every-resource set, or type-wide:
   * `widen.beyond` over its reach, session 39, else `widen.at` of the edge's own target) gains
   * that tier too, and says which (`widened`, also when a new action already decides the tier).
   */
  escalatingEdges(arn: string, technique: string | ((t: string) => boolean), widen?: Widen): EscalatingEdge[];
  /**
   * Principals a principal can act as (any strength), itself excluded. `stop`, asked of each one
   * found: true ends the walk there (a bounded reader need not walk 10,000 principals).
   */
  reachable(arn: string, strength: Strength, stop?: (n: GraphNodeInternal) => boolean): GraphNodeInternal[];
  /**
   * The graph as reports show it. `stored`: only the hops report.json keeps (src/graph/stored-hops.ts,
   * `hopsOmitted` set): equal to storedGraph(summary(accountId)), without a hop object for each
   * hop left out; for scans whose report is only written, not asked for other paths. `widen`: the
   * reach's `gains` asked by where too (session 38; absent: by what alone, as before).
   */
  summary(accountId?: string, form?: { readonly stored?: boolean; readonly widen?: ReachWiden }): GraphSummary;
}

export function analyzeGraph(inputs: readonly AccountInput[], opts: BuildOptions): AccessGraph {
  const built = buildGraph(inputs, opts);
  // Existing functions and stacks the inventory names, with their roles: observed hops (carriers.ts).
  joinCarriers(built, inputs.map((i) => i.snapshot));
  const reach = reachIndex(built);
  const idx = (arn: string) => built.byId.get(arn);
  const node = (arn: string) => {
    const i = idx(arn);
    return i === undefined ? undefined : built.nodes[i];
  };
  const reachable = (arn: string, strength: Strength, stop?: (n: GraphNodeInternal) => boolean): GraphNodeInternal[] => {
    const start = idx(arn);
    if (start === undefined) return [];
    const seen = new Set([start]);
    const stack = [start];
    const out: GraphNodeInternal[] = [];
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const e of built.out[v]!) {
        if (strength === 'proven' && (e.condition !== 'none' || e.target !== 'proven')) continue;
        const w = built.byId.get(e.to)!;
        if (seen.has(w)) continue;
        seen.add(w);
        stack.push(w);
        const n = built.nodes[w]!;
        if (n.principal && n.kind !== 'hub') {
          out.push(n);
          if (stop?.(n)) return out;
        }
      }
    }
    return out;
  };
  const api: AccessGraph = {
    built,
    reach,
    node,
    gains: (arn, strength) => {
      const i = idx(arn);
      return i === undefined ? undefined : gainThroughReach(built, reach, i, strength);
    },
    reachPower: (arn, strength) => {
      const i = idx(arn);
      return i === undefined ? undefined : reach.power(i, strength);
    },
    path: (arn, goal) => {
      const i = idx(arn);
      return i === undefined ? undefined : shortestPath(built, i, goal);
    },
    pathToAdmin: (arn) => {
      const i = idx(arn);
      return i === undefined ? undefined : reach.pathToAdmin(i, 'proven') ?? reach.pathToAdmin(i, 'possible');
    },
    escalatingEdges: (arn, technique, widen) => {
      const i = idx(arn);
      if (i === undefined) return [];
      const match = typeof technique === 'string' ? (t: string) => t === technique : technique;
      const own = built.nodes[i]!.power;
      // Each edge's target node comes with it: callers label thousands of them per hub caller at
      // 50,000 principals, and a lookup by id each was most of the escalation check's texts.
      const out: EscalatingEdge[] = [];
      const held = widen && !own.admin ? heldOnSome(widen.ids, built.expander) : undefined;
      for (const e of built.out[i]!) {
        if (!match(e.technique)) continue;
        const j = built.byId.get(e.to)!;
        for (const strength of ['proven', 'possible'] as const) {
          if (strength === 'proven' && (e.condition !== 'none' || e.target !== 'proven')) continue;
          const far = reach.power(j, strength);
          let adds = gain(far, own, built.expander);
          let widened: number[] | undefined;
          // Asked again by where: what the far side holds on every resource (its reach's
          // every-resource set, and type-wide grants of what it reaches, or of the edge's own
          // target when the caller reads no further) that the caller holds only on named
          // resources. It raises the tier where the tiers said less, and is kept whenever found:
          // a check must not call such a gain "scoped" (privilege-escalation).
          if (held && adds !== 'admin') {
            const t = built.nodes[j]!;
            const w = widenedBy(held, widen!.ids, far.allResources, widen!.beyond ? widen!.beyond(t, strength) : widen!.at?.(t));
            if (w) {
              if (above(w.tier, adds)) adds = w.tier;
              widened = w.ids;
            }
          }
          if (escalates(adds)) { out.push({ edge: e, adds: adds!, strength, target: built.nodes[j]!, ...(widened ? { widened } : {}) }); break; }
        }
      }
      return out;
    },
    reachable,
    summary: (accountId, form) => graphSummary(built, reach, accountId, form?.stored === true, form?.widen),
  };
  return api;
}

/** At most this many widened actions are listed per principal in report.json (`gains` counts them all). */
export const WIDENED_LISTED = 20;

function graphSummary(built: BuiltGraph, reach: ReachIndex, accountId: string | undefined, stored: boolean, widen: ReachWiden | undefined): GraphSummary {
  const inAccount = (n: GraphNodeInternal) => accountId === undefined || n.account === accountId;
  // Edges in out-list order, taken whole per source node (an edge's `from` is its list's node):
  // no flattened copy and no lookup per edge of 461k at 50k principals.
  const edges: GraphEdge[] = [];
  const sources: GraphNodeInternal[] = [];
  for (const from of built.nodes) {
    if (!(inAccount(from) || from.kind === 'hub' || !from.scanned) || built.out[from.index]!.length === 0) continue;
    sources.push(from);
    for (const e of built.out[from.index]!) edges.push(e);
  }
  const reachList: PrincipalReach[] = [];
  // A node's reach power is often its own, and members of one component share theirs: each
  // power object is summarized once (every summary handed out is a copy of its own).
  const summaries = new Map<PowerSets, ReturnType<typeof summarizePower>>();
  const summaryOf = (p: PowerSets) => {
    let s = summaries.get(p);
    if (!s) summaries.set(p, (s = summarizePower(p, built.expander)));
    return { ...s };
  };
  for (const n of built.nodes) {
    if (!n.principal || (n.kind !== 'user' && n.kind !== 'role') || !inAccount(n)) continue;
    if (built.out[n.index]!.length === 0) continue;
    const possible = reach.power(n.index, 'possible');
    let gains = gain(possible, n.power, built.expander);
    // Asked again by where, as the escalation check asks its edges (session 38): what it holds
    // only on named resources and something it reaches holds on every resource raises the tier
    // where the tiers said less, and is listed whenever found.
    const w = widen && gains !== 'admin' && !n.power.admin ? widen(n, possible) : undefined;
    const held = w ? heldOnSome(w.ids, built.expander) : undefined;
    if (held) {
      const tier = widerTier(held, w!.ids);
      if (tier && above(tier, gains)) gains = tier;
    }
    const gives = (x: GraphNodeInternal) => gain(x.power, n.power, built.expander) === gains
      || (held !== undefined && widenedBy(held, w!.ids, x.power.allResources, x.principal ? w!.at?.(x) : undefined)?.tier === gains);
    // Paths to an administrator come from one reverse search; other gains are searched for agents only.
    const path = gains === 'admin'
      ? reach.pathToAdmin(n.index, 'proven') ?? reach.pathToAdmin(n.index, 'possible')
      : gains && n.analyzed?.isAgent ? shortestPath(built, n.index, gives) : undefined;
    const widened = w ? w.ids.toArray().slice(0, WIDENED_LISTED).map((id) => built.expander.catalog.actions[id]!.key) : undefined;
    reachList.push({
      principalArn: n.principal.arn,
      principals: reach.principals(n.index),
      power: summaryOf(n.power),
      reachPower: summaryOf(possible),
      ...(gains ? { gains } : {}),
      ...(widened ? { widened } : {}),
      ...(path ? { path } : {}),
    });
  }
  const nodes = built.nodes.filter((n) => inAccount(n) || n.kind === 'hub' || !n.scanned).length;
  // Targets in first-seen order, then sources not among them: the order labels' keys come out in.
  const seen = new Uint8Array(built.nodes.length);
  const named: GraphNodeInternal[] = [];
  for (const e of edges) {
    const t = built.byId.get(e.to)!;
    if (!seen[t]) { seen[t] = 1; named.push(built.nodes[t]!); }
  }
  const admins = named.filter((n) => n.power.admin).map((n) => n.id);
  for (const n of sources) if (!seen[n.index]) { seen[n.index] = 1; named.push(n); }
  const labels: Record<string, string> = Object.create(null);
  for (const n of named) if (n.kind !== 'user' && n.kind !== 'role') labels[n.id] = n.label;
  const hop = (e: GraphEdge): PathHop => ({ from: e.from, to: e.to, technique: e.technique, actions: e.actions, condition: e.condition, target: e.target, why: e.why, evidence: e.evidence });
  // Key order as storedGraph's `{ ...summary, hops, hopsOmitted }` gives it: report.json's bytes follow it.
  const base = { nodes, edges: edges.length, admins, labels };
  const rest = { reach: reachList, accounts: built.accounts, ...(built.limits ? { limits: built.limits } : {}) };
  if (!stored) return { ...base, hops: edges.map(hop), ...rest };
  const keep = storedHopMarks(edges, admins, reachList);
  const hops: PathHop[] = [];
  for (let k = 0; k < edges.length; k++) if (keep[k] === 1) hops.push(hop(edges[k]!));
  return { ...base, hops, ...rest, hopsOmitted: edges.length - hops.length };
}
