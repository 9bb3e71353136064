// The access graph as report.json keeps it (schema 1.3). Every hop out of every principal was
// tens of megabytes at 10,000 principals (194,526 edges), most of them moves between principals
// that lead nowhere worth following. The file keeps the hops a reader can use without the
// analysis: every hop on some path to an administrator or to a principal that some principal
// gains power through (the end of a `reach` path: destructive actions, IAM write…), so `leash
// paths X` to those answers exactly as from the full graph (a hop into a node that cannot reach
// a goal never lies on a path to it), and every hop that crosses accounts (the cross-account
// view). `hopsOmitted` counts the rest; `reach` still holds each principal's counts and power.
// `leash paths --input` / `--demo` answers any goal from the full graph.
import type { GraphSummary, PathHop } from '../model/graph.js';

const ACCOUNT_RE = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;

function accountOf(id: string): string | undefined {
  return ACCOUNT_RE.exec(id)?.[1];
}

function crossesAccounts(h: PathHop): boolean {
  const a = accountOf(h.from), b = accountOf(h.to);
  return a !== undefined && b !== undefined && a !== b;
}

export function storedGraph(g: GraphSummary): GraphSummary {
  if (g.hopsOmitted !== undefined) return g;
  // Nodes that can reach a goal: one backward search from the goals.
  const into = new Map<string, string[]>();
  for (const h of g.hops) {
    const l = into.get(h.to);
    if (l) l.push(h.from);
    else into.set(h.to, [h.from]);
  }
  const toAdmin = new Set([...(g.admins ?? []), ...g.reach.flatMap((r) => (r.path ? [r.path.to] : []))]);
  const queue = [...toAdmin];
  for (let i = 0; i < queue.length; i++) {
    for (const from of into.get(queue[i]!) ?? []) {
      if (toAdmin.has(from)) continue;
      toAdmin.add(from);
      queue.push(from);
    }
  }
  const hops = g.hops.filter((h) => toAdmin.has(h.to) || crossesAccounts(h));
  return { ...g, hops, hopsOmitted: g.hops.length - hops.length };
}
