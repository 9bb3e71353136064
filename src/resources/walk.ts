// What each principal reaches, walked over the graph in compact form (edge targets as integer
// arrays, a stamp array for "seen"). Checks and the blast radius ask it for every principal;
// graph.reachable walks edge objects with a fresh Set per call, and at 10,000 principals that walk
// (principals × edges reached) was the largest cost of both. Same walk, same order: the order
// decides which node a sample names as `through` (test/resources/walk.test.ts).
import type { BuiltGraph } from '../graph/build.js';

export interface Walker {
  /** Calls `visit` with every principal node (not a hub) reachable from `start`, in graph.reachable's order ('possible' strength). */
  reachable(start: number, visit: (node: number) => void): void;
}

export function walker(g: BuiltGraph): Walker {
  const n = g.nodes.length;
  const offsets = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) offsets[v + 1] = offsets[v]! + g.out[v]!.length;
  const targets = new Int32Array(offsets[n]!);
  for (let v = 0, k = 0; v < n; v++) for (const e of g.out[v]!) targets[k++] = g.byId.get(e.to)!;
  const listed = new Uint8Array(n);
  g.nodes.forEach((node, i) => { if (node.principal && node.kind !== 'hub') listed[i] = 1; });
  const stamp = new Int32Array(n);
  // Each node is pushed at most once, the start included (it is marked seen first).
  const stack = new Int32Array(n);
  let generation = 0;
  return {
    reachable(start, visit) {
      const gen = ++generation;
      stamp[start] = gen;
      let top = 0;
      stack[top++] = start;
      while (top > 0) {
        const v = stack[--top]!;
        for (let i = offsets[v]!, end = offsets[v + 1]!; i < end; i++) {
          const w = targets[i]!;
          if (stamp[w] === gen) continue;
          stamp[w] = gen;
          stack[top++] = w;
          if (listed[w]) visit(w);
        }
      }
    },
  };
}
