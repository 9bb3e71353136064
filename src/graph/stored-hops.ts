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

function crossesAccounts(h: HopEnds): boolean {
  const a = accountOf(h.from), b = accountOf(h.to);
  return a !== undefined && b !== undefined && a !== b;
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
  return { ids, from, strict: isStrict, intoStart, intoHop };
}

/**
 * Marks (in keep) the hops one step closer to the goals, by backward breadth-first distance over
 * hops (only strict ones when `strictOnly`): a hop is kept when its source is exactly one step
 * farther from the goals than its target, which is every hop on some shortest path to them.
 */
function markCloser(ix: HopIndex, goals: readonly string[], strictOnly: boolean, dist: Int32Array, queue: Int32Array, keep: Uint8Array): void {
  dist.fill(-1);
  let tail = 0;
  for (const g of goals) {
    const v = ix.ids.get(g);
    // A goal no hop touches has nothing to keep.
    if (v !== undefined && dist[v] === -1) {
      dist[v] = 0;
      queue[tail++] = v;
    }
  }
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    const d = dist[v]!;
    for (let j = ix.intoStart[v]!, end = ix.intoStart[v + 1]!; j < end; j++) {
      const k = ix.intoHop[j]!;
      if (strictOnly && ix.strict[k] === 0) continue;
      const u = ix.from[k]!;
      const du = dist[u]!;
      if (du === -1) {
        dist[u] = d + 1;
        queue[tail++] = u;
        keep[k] = 1;
      } else if (du === d + 1) keep[k] = 1;
    }
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
  const dist = new Int32Array(ix.ids.size), queue = new Int32Array(ix.ids.size);
  for (const group of groups) {
    markCloser(ix, group, true, dist, queue, keep);
    markCloser(ix, group, false, dist, queue, keep);
  }
  for (let k = 0; k < hops.length; k++) if (keep[k] === 0 && crossesAccounts(hops[k]!)) keep[k] = 1;
  return keep;
}
