// Reach and power: for every node, the power of everything it can become. Strongly connected
// components are condensed (Tarjan, iterative) and power is unioned once per component in
// reverse topological order, so 10k principals cost one pass, not one search each. Two graphs:
// "proven" (hops that hold as written, to targets known to exist) and "possible" (every hop).
import type { GraphEdge, GraphPath, PowerTier } from '../model/graph.js';
import { foldPath } from './query.js';
import type { BuiltGraph, GraphNodeInternal } from './build.js';
import { gain, isAdminSet, type PowerSets } from './power.js';
import type { ActionSet } from '../iam/action-set.js';

export type Strength = 'proven' | 'possible';

const keep = (strength: Strength) => (e: GraphEdge) => strength === 'possible' || (e.condition === 'none' && e.target === 'proven');

export interface ReachIndex {
  /** Power of everything a node can become (itself included). */
  readonly power: (node: number, strength: Strength) => PowerSets;
  /** Principals (users, roles) a node can become at any strength, itself excluded. */
  readonly principals: (node: number) => number;
  /** A shortest path to an administrator (proven hops only, or any), or undefined. */
  readonly pathToAdmin: (node: number, strength: Strength) => GraphPath | undefined;
  /**
   * Per node, the union of `perNode` over everything it reaches at one strength (itself
   * included), as `power` unions power (session 39): lazy, one answer per component of the
   * condensation, so a run that asks many nodes reads each node's own set once. Undefined: none.
   * The answers are shared and read-only.
   */
  readonly unionOver: (strength: Strength, perNode: (n: GraphNodeInternal) => ActionSet | undefined) => (node: number) => ActionSet | undefined;
}

/**
 * Index of each out-edge's target, parallel to `g.out`: the build's own arrays when it kept them
 * (no lookup by id per edge and search), else looked up once here.
 */
export function targetIndex(g: BuiltGraph): readonly (readonly number[])[] {
  return g.outTo ?? g.out.map((list) => list.map((e) => g.byId.get(e.to)!));
}

interface Condensed { readonly comp: Int32Array; readonly comps: readonly (readonly number[])[]; readonly succ: readonly (readonly number[])[] }

/**
 * The components a component's members lead to (itself excluded), each once, in first-seen
 * order. `mark` (one slot per component, -1 or the last asker) replaces a Set per component:
 * this runs for every component of both graphs at every round of the build.
 */
function successorComps({ comp, succ }: Condensed, members: readonly number[], ci: number, mark: Int32Array, out: number[]): number[] {
  out.length = 0;
  for (let m = 0; m < members.length; m++) {
    const s = succ[members[m]!]!;
    for (let k = 0; k < s.length; k++) {
      const c = comp[s[k]!]!;
      if (c !== ci && mark[c] !== ci) { mark[c] = ci; out.push(c); }
    }
  }
  return out;
}

/** Union of power over each node's reach, for one strength. */
export function reachPowers(g: BuiltGraph, strength: Strength): PowerSets[] {
  return powersOf(g, condense(g, strength, targetIndex(g)));
}

/** Strongly connected components of the graph at one strength, sinks first. */
function condense(g: BuiltGraph, strength: Strength, to: readonly (readonly number[])[]): Condensed {
  const n = g.nodes.length;
  // Every hop counts for "possible": the target lists themselves, read-only, no copy.
  let succ = to;
  if (strength === 'proven') {
    const ok = keep(strength);
    const s: number[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const edges = g.out[i]!, ti = to[i]!, l: number[] = [];
      for (let k = 0; k < edges.length; k++) if (ok(edges[k]!)) l.push(ti[k]!);
      s[i] = l;
    }
    succ = s;
  }
  // Tarjan's SCC, iterative. Components come out in reverse topological order (sinks first).
  const index = new Int32Array(n).fill(-1), low = new Int32Array(n), comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const comps: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const v = top[0], k = top[1]; // no destructuring: an iterator per step
      if (k === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      const s = succ[v]!;
      if (k < s.length) {
        top[1] = k + 1;
        const w = s[k]!;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const c: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = comps.length;
          c.push(w);
        } while (w !== v);
        comps.push(c);
      }
    }
  }
  return { comp, comps, succ };
}

function powersOf(g: BuiltGraph, condensed: Condensed): PowerSets[] {
  const { comp, comps } = condensed;
  const n = g.nodes.length;
  const compPower: PowerSets[] = new Array(comps.length);
  const mark = new Int32Array(comps.length).fill(-1);
  const next: number[] = [];
  for (let ci = 0; ci < comps.length; ci++) {
    const members = comps[ci]!;
    successorComps(condensed, members, ci, mark, next);
    if (members.length === 1 && next.length === 0) { compPower[ci] = g.nodes[members[0]!]!.power; continue; }
    const first = g.nodes[members[0]!]!.power;
    const acc = { unconditional: first.unconditional.clone(), allResources: first.allResources.clone(), admin: first.admin };
    for (let m = 1; m < members.length; m++) {
      const p = g.nodes[members[m]!]!.power;
      acc.unconditional.or(p.unconditional); acc.allResources.or(p.allResources); acc.admin ||= p.admin;
    }
    for (const c of next) {
      const p = compPower[c]!; // sinks first: already computed
      acc.unconditional.or(p.unconditional); acc.allResources.or(p.allResources); acc.admin ||= p.admin;
    }
    acc.admin ||= isAdminSet(acc.allResources, g.expander);
    compPower[ci] = acc;
  }
  const out: PowerSets[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = compPower[comp[i]!]!;
  return out;
}

export function reachIndex(g: BuiltGraph): ReachIndex {
  const to = targetIndex(g);
  const provenC = condense(g, 'proven', to), possibleC = condense(g, 'possible', to);
  const proven = powersOf(g, provenC);
  const possible = powersOf(g, possibleC);
  let counts: Int32Array | undefined;
  const trees = new Map<Strength, (GraphEdge | undefined)[]>();
  // The check and the report's summary both ask for a principal's path: built once per node and
  // strength (paths are read-only, like every answer of the index).
  const paths = new Map<Strength, Map<number, GraphPath | undefined>>();
  const pathFor = (node: number, strength: Strength): GraphPath | undefined => {
    let via = trees.get(strength);
    if (!via) trees.set(strength, (via = adminTree(g, strength, to)));
    if (g.nodes[node]!.power.admin || !via[node]) return undefined;
    const edges: GraphEdge[] = [];
    for (let v = node, guard = 0; !g.nodes[v]!.power.admin && guard < g.nodes.length; guard++) {
      const e = via[v];
      if (!e) return undefined;
      edges.push(e);
      v = g.byId.get(e.to)!;
    }
    return toPath(g, edges);
  };
  return {
    power: (node, strength) => (strength === 'proven' ? proven : possible)[node]!,
    principals: (node) => (counts ??= principalCounts(g, possibleC))[node]!,
    unionOver: (strength, perNode) => lazyUnion(g, strength === 'proven' ? provenC : possibleC, perNode),
    pathToAdmin: (node, strength) => {
      let memo = paths.get(strength);
      if (!memo) paths.set(strength, (memo = new Map()));
      if (memo.has(node)) return memo.get(node);
      const path = pathFor(node, strength);
      memo.set(node, path);
      return path;
    },
  };
}

/**
 * `unionOver`'s answers for one condensation: a component's union is its members' own sets and its
 * successors' unions, computed when first asked (an iterative post-order over the component DAG:
 * chains are as long as the account's hops). A union made of one non-empty set is that set (no
 * copy); most components contribute none.
 */
function lazyUnion(g: BuiltGraph, { comp, comps, succ }: Condensed, perNode: (n: GraphNodeInternal) => ActionSet | undefined): (node: number) => ActionSet | undefined {
  // 0: not asked; 1: successors being computed; 2: done (`done[c]` its union, undefined for none).
  const state = new Uint8Array(comps.length);
  const done: (ActionSet | undefined)[] = new Array(comps.length);
  const compute = (start: number): void => {
    const stack = [start];
    while (stack.length > 0) {
      const ci = stack[stack.length - 1]!;
      if (state[ci] === 2) { stack.pop(); continue; }
      const members = comps[ci]!;
      if (state[ci] === 0) {
        state[ci] = 1;
        // The condensation is acyclic: a successor is never in state 1 here.
        for (const v of members) for (const w of succ[v]!) if (comp[w] !== ci && state[comp[w]!] === 0) stack.push(comp[w]!);
        continue;
      }
      let acc: ActionSet | undefined;
      let owned = false;
      const add = (s: ActionSet | undefined) => {
        if (!s || s === acc || s.isEmpty()) return;
        if (!acc) { acc = s; return; }
        if (!owned) { acc = acc.clone(); owned = true; }
        acc.or(s);
      };
      for (const v of members) add(perNode(g.nodes[v]!));
      for (const v of members) for (const w of succ[v]!) if (comp[w] !== ci) add(done[comp[w]!]);
      done[ci] = acc;
      state[ci] = 2;
      stack.pop();
    }
  };
  return (node) => {
    const c = comp[node]!;
    if (state[c] !== 2) compute(c);
    return done[c];
  };
}

const isPrincipalNode = (x: GraphNodeInternal) => x.kind === 'user' || x.kind === 'role';

/** How many principals (users and roles) each node can become, by bitsets over the condensation. */
function principalCounts(g: BuiltGraph, condensed: Condensed): Int32Array {
  const { comps } = condensed;
  const ids = new Int32Array(g.nodes.length).fill(-1);
  let m = 0;
  for (const x of g.nodes) if (isPrincipalNode(x)) ids[x.index] = m++;
  const words = (m + 31) >>> 5;
  const bits: (Uint32Array | undefined)[] = new Array(comps.length);
  const counts = new Int32Array(g.nodes.length);
  const popcount = (b: Uint32Array) => {
    let c = 0;
    for (let i = 0; i < b.length; i++) { let v = b[i]!; v -= (v >>> 1) & 0x55555555; v = (v & 0x33333333) + ((v >>> 2) & 0x33333333); c += (((v + (v >>> 4)) & 0xf0f0f0f) * 0x1010101) >>> 24; }
    return c;
  };
  const mark = new Int32Array(comps.length).fill(-1);
  const next: number[] = [];
  for (let ci = 0; ci < comps.length; ci++) {
    const members = comps[ci]!;
    successorComps(condensed, members, ci, mark, next);
    if (members.length === 1 && next.length === 0) continue; // reaches nothing but itself
    const b = new Uint32Array(words);
    for (const v of members) if (ids[v]! >= 0) b[ids[v]! >>> 5]! |= 1 << (ids[v]! & 31);
    for (const c of next) { const o = bits[c]; if (o) for (let i = 0; i < words; i++) b[i]! |= o[i]!; else for (const v of comps[c]!) if (ids[v]! >= 0) b[ids[v]! >>> 5]! |= 1 << (ids[v]! & 31); }
    bits[ci] = b;
    const total = popcount(b);
    for (const v of members) counts[v] = total - (ids[v]! >= 0 ? 1 : 0);
  }
  return counts;
}

/** One reverse search from every administrator: for each node, the first edge of a shortest path to one. */
function adminTree(g: BuiltGraph, strength: Strength, to: readonly (readonly number[])[]): (GraphEdge | undefined)[] {
  const ok = keep(strength);
  // In-edges of each node with their source's index (an edge's `from` is its out-list's node).
  const rev: GraphEdge[][] = g.nodes.map(() => []);
  const revFrom: number[][] = g.nodes.map(() => []);
  for (let i = 0; i < g.out.length; i++) {
    const list = g.out[i]!, ti = to[i]!;
    for (let k = 0; k < list.length; k++) if (ok(list[k]!)) { const t = ti[k]!; rev[t]!.push(list[k]!); revFrom[t]!.push(i); }
  }
  const via: (GraphEdge | undefined)[] = new Array(g.nodes.length);
  const seen = new Uint8Array(g.nodes.length);
  const queue: number[] = [];
  for (const x of g.nodes) if (x.power.admin) { seen[x.index] = 1; queue.push(x.index); }
  for (let qi = 0; qi < queue.length; qi++) {
    const edges = rev[queue[qi]!]!, from = revFrom[queue[qi]!]!;
    for (let k = 0; k < edges.length; k++) {
      const v = from[k]!;
      if (seen[v]) continue;
      seen[v] = 1;
      via[v] = edges[k];
      queue.push(v);
    }
  }
  return via;
}

/** Shortest path (fewest hops) from a node to one that satisfies `goal`, proven hops first. */
export function shortestPath(g: BuiltGraph, from: number, goal: (n: GraphNodeInternal) => boolean): GraphPath | undefined {
  for (const strength of ['proven', 'possible'] as const) {
    const ok = keep(strength);
    const parent = new Map<number, { prev: number; edge: GraphEdge }>();
    const queue = [from];
    const seen = new Set([from]);
    let found: number | undefined;
    for (let qi = 0; qi < queue.length && found === undefined; qi++) {
      const v = queue[qi]!;
      for (const e of g.out[v]!) {
        if (!ok(e)) continue;
        const w = g.byId.get(e.to)!;
        if (seen.has(w)) continue;
        seen.add(w);
        parent.set(w, { prev: v, edge: e });
        if (g.nodes[w]!.kind !== 'hub' && goal(g.nodes[w]!)) { found = w; break; }
        queue.push(w);
      }
    }
    if (found === undefined) continue;
    const edges: GraphEdge[] = [];
    for (let w = found; w !== from; w = parent.get(w)!.prev) edges.unshift(parent.get(w)!.edge);
    return toPath(g, edges);
  }
  return undefined;
}

/** Fold hubs into the hop that enters them (foldPath); each hop says what its target adds. */
export function toPath(g: BuiltGraph, edges: readonly GraphEdge[]): GraphPath {
  const folded = foldPath(edges[0]?.from ?? '', edges);
  const power = (id: string) => g.nodes[g.byId.get(id)!]!.power;
  const hops = folded.hops.map((h) => {
    const adds = gain(power(h.to), power(h.from), g.expander);
    // Object.assign, not `{ ...h, adds }`: V8 gives each such spread copy a hidden class of its own.
    return adds ? Object.assign({}, h, { adds }) : h;
  });
  return { ...folded, hops };
}

export function labelOf(g: BuiltGraph, id: string): string {
  const i = g.byId.get(id);
  return i === undefined ? id : g.nodes[i]!.label;
}

/** The first tier a node gains through what it reaches (undefined: nothing that ranks above itself). */
export function gainThroughReach(g: BuiltGraph, r: ReachIndex, node: number, strength: Strength): PowerTier | undefined {
  return gain(r.power(node, strength), g.nodes[node]!.power, g.expander);
}
