// The graph stage's face to the rest of the pipeline: build once per scan (over one account or
// several), then answer what checks, fixes, reports and `leash paths` ask.
import type { GraphEdge, GraphPath, GraphSummary, PathHop, PowerTier, PrincipalReach } from '../model/graph.js';
import type { ActionExpander } from '../iam/pattern.js';
import { buildGraph, type AccountInput, type BuildOptions, type BuiltGraph, type GraphNodeInternal } from './build.js';
import { above, escalates, gain, heldOnSome, summarizePower, widerTier, type PowerSets } from './power.js';
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
}

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
   * whose far side holds one on every resource (its reach's every-resource set, or `widen.at` of
   * the edge's own target) gains that tier too, and says which (`widened`, also when a new action
   * already decides the tier).
   */
  escalatingEdges(arn: string, technique: string | ((t: string) => boolean), widen?: Widen): EscalatingEdge[];
  /** Principals a principal can act as (any strength), itself excluded. */
  reachable(arn: string, strength: Strength): GraphNodeInternal[];
  /**
   * The graph as reports show it. `stored`: only the hops report.json keeps (src/graph/stored-hops.ts,
   * `hopsOmitted` set): equal to storedGraph(summary(accountId)), without a hop object for each
   * hop left out; for scans whose report is only written, not asked for other paths.
   */
  summary(accountId?: string, form?: { readonly stored?: boolean }): GraphSummary;
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
  const reachable = (arn: string, strength: Strength): GraphNodeInternal[] => {
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
        if (n.principal && n.kind !== 'hub') out.push(n);
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
          // every-resource set, and type-wide grants of the edge's own target) that the caller
          // holds only on named resources. It raises the tier where the tiers said less, and is
          // kept whenever found: a check must not call such a gain "scoped" (privilege-escalation).
          if (held && adds !== 'admin') {
            let w = widerTier(held, far.allResources);
            const extra = widen!.at?.(built.nodes[j]!);
            const t = extra ? widerTier(held, extra) : undefined;
            if (t && (!w || above(t, w))) w = t;
            if (w) {
              if (above(w, adds)) adds = w;
              widened = far.allResources.intersectionIds(widen!.ids);
              if (extra) for (const id of extra.intersectionIds(widen!.ids)) if (!widened.includes(id)) widened.push(id);
            }
          }
          if (escalates(adds)) { out.push({ edge: e, adds: adds!, strength, target: built.nodes[j]!, ...(widened ? { widened } : {}) }); break; }
        }
      }
      return out;
    },
    reachable,
    summary: (accountId, form) => graphSummary(built, reach, accountId, form?.stored === true),
  };
  return api;
}

function graphSummary(built: BuiltGraph, reach: ReachIndex, accountId: string | undefined, stored: boolean): GraphSummary {
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
    const gains = gain(possible, n.power, built.expander);
    // Paths to an administrator come from one reverse search; other gains are searched for agents only.
    const path = gains === 'admin'
      ? reach.pathToAdmin(n.index, 'proven') ?? reach.pathToAdmin(n.index, 'possible')
      : gains && n.analyzed?.isAgent ? shortestPath(built, n.index, (x) => gain(x.power, n.power, built.expander) === gains) : undefined;
    reachList.push({
      principalArn: n.principal.arn,
      principals: reach.principals(n.index),
      power: summaryOf(n.power),
      reachPower: summaryOf(possible),
      ...(gains ? { gains } : {}),
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
