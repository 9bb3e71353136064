// Which hops of the access graph report.json keeps (schema 1.3). Every hop out of every principal was
// 92 MB of the 215 MB report.json at 10,000 principals (193,495 hops), and almost every node
// reaches an administrator there, so "hops toward an administrator" kept nearly all of them.
// The file keeps what `leash paths --report` needs to answer for its goals: for each goal (an
// administrator, or the end of some principal's reach path: whom it gains power through), the
// hops that bring a caller one step closer to it — over proven unconditional hops, and over all
// hops — which is every shortest path to it, so the paths found from the file have the same
// targets, lengths and strength as from the full graph. Hops that cross accounts are kept (the
// cross-account view). `hopsOmitted` counts the rest; `reach` still counts everything each
// principal can become. `leash paths --input` / `--demo` answers any goal from the full graph.
// The selection works on any hop-shaped list: report/stored-graph.ts applies it to a summary's
// hops; the graph's summary applies it to its edges, so that a scan which only writes the report
// never makes a hop object for the hops it leaves out (461k of them at 50,000 principals).
import type { GraphSummary, PathHop } from '../model/graph.js';

/** What the selection reads of a hop (a GraphEdge has the same fields). */
export type HopEnds = Pick<PathHop, 'from' | 'to' | 'condition' | 'target'>;

const ACCOUNT_RE = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;
/** Goals searched one by one; past this many, the rest share one search (nearest of them). */
const MAX_SEPARATE_GOALS = 64;

function accountOf(id: string): string | undefined {
  return ACCOUNT_RE.exec(id)?.[1];
}

const strict = (h: HopEnds) => h.condition === 'none' && h.target === 'proven';

/**
 * The hops as integer arrays: node ids, and for each node the hops into it (CSR, in hop order).
 * At 50,000 principals (461k hops, 64 goals, two searches each) a Map of strings per search was
 * 11 s of the scan's writing; typed arrays make each search a pass over memory.
 */
interface HopIndex {
  readonly ids: Map<string, number>;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly strict: Uint8Array;
  /** Hops into node v: intoHop[intoStart[v] .. intoStart[v + 1]). */
  readonly intoStart: Int32Array;
  readonly intoHop: Int32Array;
}

function indexHops(hops: readonly HopEnds[]): HopIndex {
  const ids = new Map<string, number>();
  const idOf = (s: string): number => {
    let i = ids.get(s);
    if (i === undefined) ids.set(s, (i = ids.size));
    return i;
  };
  const m = hops.length;
  const from = new Int32Array(m), to = new Int32Array(m), isStrict = new Uint8Array(m);
  for (let k = 0; k < m; k++) {
    const h = hops[k]!;
    from[k] = idOf(h.from);
    to[k] = idOf(h.to);
    isStrict[k] = strict(h) ? 1 : 0;
  }
  const intoStart = new Int32Array(ids.size + 1);
  for (let k = 0; k < m; k++) intoStart[to[k]! + 1]!++;
  for (let v = 0; v < ids.size; v++) intoStart[v + 1]! += intoStart[v]!;
  const fill = intoStart.slice(0, ids.size);
  const intoHop = new Int32Array(m);
  for (let k = 0; k < m; k++) intoHop[fill[to[k]!]!++] = k;
  return { ids, from, to, strict: isStrict, intoStart, intoHop };
}

/**
 * Marks (in keep) the hops one step closer to each group of goals, every group at once (only
 * strict hops when `strictOnly`). A hop u → v is on a shortest path to a group when
 * dist(u) = dist(v) + 1 in a backward breadth-first search from that group's goals. The searches
 * run level by level together, a bit per group in each node's row (32 groups a word): at level d
 * a node's `frontier` bits are the groups it is d from, `seen` the groups it is d or nearer.
 * For a hop u → v, the groups of v's frontier not yet seen from u are exactly those with
 * dist(u) = d + 1: the hop is kept when there is one. At 50,000 principals (461k hops, 64 groups)
 * one search per group and kind was 128 passes over the hops; this is one pass per level.
 */
function markCloser(ix: HopIndex, groups: readonly (readonly string[])[], strictOnly: boolean, keep: Uint8Array): void {
  const n = ix.ids.size;
  const W = (groups.length + 31) >>> 5;
  if (n === 0 || W === 0) return;
  const seen = new Uint32Array(n * W), frontier = new Uint32Array(n * W), next = new Uint32Array(n * W);
  let level = new Int32Array(n), coming = new Int32Array(n);
  const queued = new Uint8Array(n);
  let size = 0;
  for (let g = 0; g < groups.length; g++) {
    const bit = 1 << (g & 31), w = g >>> 5;
    for (const goal of groups[g]!) {
      const v = ix.ids.get(goal);
      // A goal no hop touches has nothing to keep.
      if (v === undefined) continue;
      seen[v * W + w]! |= bit;
      frontier[v * W + w]! |= bit;
      if (queued[v] === 0) {
        queued[v] = 1;
        level[size++] = v;
      }
    }
  }
  while (size > 0) {
    queued.fill(0);
    let nextSize = 0;
    for (let i = 0; i < size; i++) {
      const v = level[i]!, vr = v * W;
      for (let j = ix.intoStart[v]!, end = ix.intoStart[v + 1]!; j < end; j++) {
        const k = ix.intoHop[j]!;
        if (strictOnly && ix.strict[k] === 0) continue;
        const ur = ix.from[k]! * W;
        let closer = 0;
        for (let w = 0; w < W; w++) {
          const nb = frontier[vr + w]! & ~seen[ur + w]!;
          if (nb !== 0) {
            next[ur + w]! |= nb;
            closer = 1;
          }
        }
        if (closer === 0) continue;
        keep[k] = 1;
        const u = ix.from[k]!;
        if (queued[u] === 0) {
          queued[u] = 1;
          coming[nextSize++] = u;
        }
      }
    }
    // Only listed nodes' rows are read, and each listed row is written whole: no clearing.
    for (let i = 0; i < nextSize; i++) {
      const ur = coming[i]! * W;
      for (let w = 0; w < W; w++) {
        seen[ur + w]! |= next[ur + w]!;
        frontier[ur + w] = next[ur + w]!;
        next[ur + w] = 0;
      }
    }
    [level, coming] = [coming, level];
    size = nextSize;
  }
}

/**
 * Which hops report.json keeps: 1 at k when hops[k] is one step closer to a goal (an administrator,
 * or the end of a reach path) or crosses accounts. `admins` and `reach` as in the summary.
 */
export function storedHopMarks(hops: readonly HopEnds[], admins: readonly string[] | undefined, reach: GraphSummary['reach']): Uint8Array {
  const ix = indexHops(hops);
  const goals = [...new Set([...(admins ?? []), ...reach.flatMap((r) => (r.path ? [r.path.to] : []))])];
  const groups = goals.length <= MAX_SEPARATE_GOALS ? goals.map((x) => [x]) : [...goals.slice(0, MAX_SEPARATE_GOALS - 1).map((x) => [x]), goals.slice(MAX_SEPARATE_GOALS - 1)];
  const keep = new Uint8Array(hops.length);
  markCloser(ix, groups, true, keep);
  markCloser(ix, groups, false, keep);
  // Each node's account once (not two matches per hop: 461k hops at 50,000 principals).
  const account: (string | undefined)[] = new Array(ix.ids.size);
  for (const [id, v] of ix.ids) account[v] = accountOf(id);
  for (let k = 0; k < hops.length; k++) {
    if (keep[k] === 1) continue;
    const a = account[ix.from[k]!], b = account[ix.to[k]!];
    if (a !== undefined && b !== undefined && a !== b) keep[k] = 1;
  }
  return keep;
}
