// The access graph as report.json keeps it (schema 1.3). Every hop out of every principal was
// 92 MB of the 215 MB report.json at 10,000 principals (193,495 hops), and almost every node
// reaches an administrator there, so "hops toward an administrator" kept nearly all of them.
// The file keeps what `leash paths --report` needs to answer for its goals: for each goal (an
// administrator, or the end of some principal's reach path: whom it gains power through), the
// hops that bring a caller one step closer to it — over proven unconditional hops, and over all
// hops — which is every shortest path to it, so the paths found from the file have the same
// targets, lengths and strength as from the full graph. Hops that cross accounts are kept (the
// cross-account view). `hopsOmitted` counts the rest; `reach` still counts everything each
// principal can become. `leash paths --input` / `--demo` answers any goal from the full graph.
import type { GraphSummary, PathHop } from '../model/graph.js';

const ACCOUNT_RE = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;
/** Goals searched one by one; past this many, the rest share one search (nearest of them). */
const MAX_SEPARATE_GOALS = 64;

function accountOf(id: string): string | undefined {
  return ACCOUNT_RE.exec(id)?.[1];
}

function crossesAccounts(h: PathHop): boolean {
  const a = accountOf(h.from), b = accountOf(h.to);
  return a !== undefined && b !== undefined && a !== b;
}

const strict = (h: PathHop) => h.condition === 'none' && h.target === 'proven';

/** Marks (in keep) the hops one step closer to the goals, by backward breadth-first distance over `use` hops. */
function markCloser(hops: readonly PathHop[], goals: readonly string[], use: (h: PathHop) => boolean, into: Map<string, number[]>, keep: Uint8Array): void {
  const dist = new Map<string, number>();
  const queue = [...goals];
  for (const g of goals) dist.set(g, 0);
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    const d = dist.get(v)!;
    for (const k of into.get(v) ?? []) {
      const h = hops[k]!;
      if (!use(h)) continue;
      const du = dist.get(h.from);
      if (du === undefined) {
        dist.set(h.from, d + 1);
        queue.push(h.from);
        keep[k] = 1;
      } else if (du === d + 1) keep[k] = 1;
    }
  }
}

export function storedGraph(g: GraphSummary): GraphSummary {
  if (g.hopsOmitted !== undefined) return g;
  const into = new Map<string, number[]>();
  g.hops.forEach((h, k) => {
    const l = into.get(h.to);
    if (l) l.push(k);
    else into.set(h.to, [k]);
  });
  const goals = [...new Set([...(g.admins ?? []), ...g.reach.flatMap((r) => (r.path ? [r.path.to] : []))])];
  const groups = goals.length <= MAX_SEPARATE_GOALS ? goals.map((x) => [x]) : [...goals.slice(0, MAX_SEPARATE_GOALS - 1).map((x) => [x]), goals.slice(MAX_SEPARATE_GOALS - 1)];
  const keep = new Uint8Array(g.hops.length);
  for (const group of groups) {
    markCloser(g.hops, group, strict, into, keep);
    markCloser(g.hops, group, () => true, into, keep);
  }
  const hops = g.hops.filter((h, k) => keep[k] === 1 || crossesAccounts(h));
  return { ...g, hops, hopsOmitted: g.hops.length - hops.length };
}
