// The access graph as report.json keeps it (schema 1.3): the hops src/graph/stored-hops.ts selects
// (toward administrators, toward the ends of reach paths, across accounts); `hopsOmitted` counts
// the rest. A summary already in that form (the graph's stored summary, a report read back) is
// returned as it is.
import type { GraphSummary } from '../model/graph.js';
import { storedHopMarks } from '../graph/stored-hops.js';

export function storedGraph(g: GraphSummary): GraphSummary {
  if (g.hopsOmitted !== undefined) return g;
  const keep = storedHopMarks(g.hops, g.admins, g.reach);
  const hops = g.hops.filter((_, k) => keep[k] === 1);
  return { ...g, hops, hopsOmitted: g.hops.length - hops.length };
}
