// Asking a written graph (report.json's `graph`): shortest paths from a principal to the nodes a
// goal names, with hubs folded into the hop that enters them. Pure; `leash paths` and the TUI use it.
import type { GraphPath, GraphSummary, HopCondition, PathHop } from '../model/graph.js';
import { worse } from './request.js';

export interface PathQuery {
  readonly from: string;
  readonly isGoal: (id: string) => boolean;
  /** How many goal nodes to give a path to (nearest first). */
  readonly limit?: number;
}

/** Shortest paths over proven hops first; goals reached only through conditional or inferred hops come after. */
export function queryPaths(g: GraphSummary, q: PathQuery): GraphPath[] {
  const out = new Map<string, PathHop[]>();
  for (const h of g.hops) {
    const l = out.get(h.from);
    if (l) l.push(h);
    else out.set(h.from, [h]);
  }
  const limit = q.limit ?? 5;
  const found = new Map<string, GraphPath>();
  for (const strict of [true, false]) {
    const parent = new Map<string, PathHop>();
    const seen = new Set([q.from]);
    const queue = [q.from];
    for (let i = 0; i < queue.length && found.size < limit; i++) {
      for (const h of out.get(queue[i]!) ?? []) {
        if (strict && (h.condition !== 'none' || h.target !== 'proven')) continue;
        if (seen.has(h.to)) continue;
        seen.add(h.to);
        parent.set(h.to, h);
        queue.push(h.to);
        if (!h.to.startsWith('hub:') && q.isGoal(h.to) && !found.has(h.to)) {
          const hops: PathHop[] = [];
          for (let v = h.to; v !== q.from; v = parent.get(v)!.from) hops.unshift(parent.get(v)!);
          found.set(h.to, foldPath(q.from, hops));
          if (found.size >= limit) break;
        }
      }
    }
  }
  return [...found.values()];
}

/** A path from its raw hops: each hub folded into the hop that enters it (the caller's technique, the worst condition). */
export function foldPath(from: string, raw: readonly PathHop[]): GraphPath {
  const hops: PathHop[] = [];
  for (let i = 0; i < raw.length; i++) {
    let h = raw[i]!;
    while (h.to.startsWith('hub:') && i + 1 < raw.length) {
      const next = raw[++i]!;
      h = { ...h, to: next.to, condition: worse(h.condition, next.condition), target: h.target === 'inferred' || next.target === 'inferred' ? 'inferred' : 'proven', evidence: [...h.evidence, ...next.evidence], ...(next.adds ? { adds: next.adds } : {}) };
    }
    hops.push(h);
  }
  const condition = hops.reduce<HopCondition>((c, x) => worse(c, x.condition), 'none');
  return { from, to: hops[hops.length - 1]?.to ?? from, hops, condition, target: hops.some((x) => x.target === 'inferred') ? 'inferred' : 'proven' };
}

/** A principal named by ARN, by name, or by path/name, among the graph's nodes. */
export function resolveNode(g: GraphSummary, principals: readonly { arn: string; name: string }[], name: string): string | undefined {
  const exact = principals.find((p) => p.arn === name) ?? principals.find((p) => p.name === name);
  if (exact) return exact.arn;
  const lower = name.toLowerCase();
  return principals.find((p) => p.name.toLowerCase() === lower)?.arn ?? (g.labels && Object.keys(g.labels).find((id) => id === name));
}
