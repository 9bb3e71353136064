// report.json keeps the hops toward administrators, toward the ends of reach paths and across
// accounts (src/report/stored-graph.ts). Property: for those goals, `leash paths` over the stored
// hops finds the same targets, at the same lengths and strength, as over every hop, on any graph.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { queryPaths } from '../../src/graph/query.js';
import { storedGraph } from '../../src/report/stored-graph.js';
import type { GraphSummary, PathHop } from '../../src/model/graph.js';

const node = (i: number) => (i >= 8 ? `arn:aws:iam::210987654321:role/r${i}` : i === 7 ? 'hub:lambda-roles' : `arn:aws:iam::123456789012:role/r${i}`);
const hop = (from: number, to: number, condition: PathHop['condition'] = 'none', target: PathHop['target'] = 'proven'): PathHop => ({
  from: node(from), to: node(to), technique: 'sts-assume-role', actions: ['sts:AssumeRole'], condition, target, why: 'may assume', evidence: [],
});

function graph(hops: PathHop[], admins: number[], pathEnds: number[]): GraphSummary {
  return {
    nodes: 10, edges: hops.length, hops, accounts: ['123456789012'], admins: admins.map(node),
    reach: pathEnds.map((to, i) => ({ principalArn: node(i), principals: 1, power: { admin: false, iamWrite: 0, destructive: 0, credentialAccess: 0, dataRead: 0, total: 1 }, reachPower: { admin: false, iamWrite: 0, destructive: 1, credentialAccess: 0, dataRead: 0, total: 2 }, gains: 'destructive' as const, path: { from: node(i), to: node(to), hops: [], condition: 'none' as const, target: 'proven' as const } })),
  };
}

/** The straightforward form (string-keyed maps, one search per goal): what the typed-array search must keep, hop for hop. */
function referenceKept(g: GraphSummary, maxSeparate = 64): PathHop[] {
  const strict = (h: PathHop) => h.condition === 'none' && h.target === 'proven';
  const into = new Map<string, number[]>();
  g.hops.forEach((h, k) => into.set(h.to, [...(into.get(h.to) ?? []), k]));
  const keep = new Set<number>();
  const search = (goals: string[], use: (h: PathHop) => boolean) => {
    const dist = new Map(goals.map((x) => [x, 0]));
    const queue = [...new Set(goals)];
    for (let i = 0; i < queue.length; i++) {
      const d = dist.get(queue[i]!)!;
      for (const k of into.get(queue[i]!) ?? []) {
        const h = g.hops[k]!;
        if (!use(h)) continue;
        if (!dist.has(h.from)) { dist.set(h.from, d + 1); queue.push(h.from); }
        if (dist.get(h.from) === d + 1) keep.add(k);
      }
    }
  };
  const goals = [...new Set([...(g.admins ?? []), ...g.reach.flatMap((r) => (r.path ? [r.path.to] : []))])];
  const groups = goals.length <= maxSeparate ? goals.map((x) => [x]) : [...goals.slice(0, maxSeparate - 1).map((x) => [x]), goals.slice(maxSeparate - 1)];
  for (const group of groups) { search(group, strict); search(group, () => true); }
  const acct = (s: string) => /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(s)?.[1];
  return g.hops.filter((h, k) => keep.has(k) || (acct(h.from) !== undefined && acct(h.to) !== undefined && acct(h.from) !== acct(h.to)));
}

describe('storedGraph', () => {
  it('keeps exactly the hops the string-keyed search keeps, including past 64 goals (property)', () => {
    const n = 90;
    const name = (i: number) => (i % 11 === 0 ? `hub:h${i}` : `arn:aws:iam::${i % 7 === 0 ? '210987654321' : '123456789012'}:role/r${i}`);
    const arbHop = fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.constantFrom('none', 'approval', 'unknown' as const), fc.constantFrom('proven', 'inferred' as const))
      .filter(([a, b]) => a !== b)
      .map(([a, b, c, t]): PathHop => ({ from: name(a), to: name(b), technique: 'sts-assume-role', actions: ['sts:AssumeRole'], condition: c as PathHop['condition'], target: t as PathHop['target'], why: 'may assume', evidence: [] }));
    fc.assert(fc.property(fc.array(arbHop, { maxLength: 400 }), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 80 }), (hops, goalIds) => {
      const admins = goalIds.slice(0, 40).map(name);
      const ends = goalIds.slice(40).map(name);
      const g: GraphSummary = {
        nodes: n, edges: hops.length, hops, accounts: ['123456789012'], admins,
        reach: ends.map((to, i) => ({ principalArn: name(i), principals: 1, power: { admin: false, iamWrite: 0, destructive: 0, credentialAccess: 0, dataRead: 0, total: 1 }, reachPower: { admin: false, iamWrite: 0, destructive: 1, credentialAccess: 0, dataRead: 0, total: 2 }, gains: 'destructive' as const, path: { from: name(i), to, hops: [], condition: 'none' as const, target: 'proven' as const } })),
      };
      const stored = storedGraph(g);
      expect(stored.hops).toEqual(referenceKept(g));
      expect(stored.hopsOmitted).toBe(hops.length - stored.hops.length);
    }), { numRuns: 150, seed: 1616 });
  });


  it('paths to administrators and to reach-path ends: same targets, lengths and strength from the stored hops as from all of them (property)', () => {
    const arbHop = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('none', 'approval', 'unknown' as const), fc.constantFrom('proven', 'inferred' as const))
      .filter(([a, b]) => a !== b).map(([a, b, c, t]) => hop(a, b, c as PathHop['condition'], t as PathHop['target']));
    fc.assert(fc.property(fc.array(arbHop, { maxLength: 30 }), fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }), fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }), (hops, admins, ends) => {
      const full = graph(hops, admins, ends);
      const stored = storedGraph(full);
      expect(stored.hops.length + stored.hopsOmitted!).toBe(hops.length);
      const goals = new Set([...admins.map(node), ...ends.map(node)]);
      // What a reader sees of a path: where it ends, how long it is, and whether it holds for sure.
      const shape = (ps: ReturnType<typeof queryPaths>) => ps.map((p) => `${p.to}/${p.hops.length}/${p.condition === 'none' && p.target === 'proven'}`).sort();
      for (let from = 0; from < 10; from++) {
        for (const goal of goals) {
          const q = { from: node(from), isGoal: (id: string) => id === goal, limit: 5 };
          expect(shape(queryPaths(stored, q))).toEqual(shape(queryPaths(full, q)));
        }
        const anyGoal = { from: node(from), isGoal: (id: string) => goals.has(id), limit: 100 };
        expect(shape(queryPaths(stored, anyGoal))).toEqual(shape(queryPaths(full, anyGoal)));
      }
      // Hops across accounts stay whatever they lead to.
      for (const h of hops) if (h.from.split(':')[4] !== h.to.split(':')[4] && !h.to.startsWith('hub:') && !h.from.startsWith('hub:')) expect(stored.hops).toContain(h);
    }), { numRuns: 200 });
  });

  it('negative control: a hop that leads to no goal is left out and counted, and a stored graph is not pruned twice', () => {
    // r0 → r1 → r2 (admin); r0 → r3 is a detour (r3 gets there only through r4 and r0 again);
    // r5 → r6 leads nowhere.
    const full = graph([hop(0, 1), hop(1, 2), hop(0, 3), hop(3, 4), hop(4, 0), hop(5, 6)], [2], []);
    const stored = storedGraph(full);
    expect(stored.hops).toEqual([hop(0, 1), hop(1, 2), hop(3, 4), hop(4, 0)]);
    expect(stored.hopsOmitted).toBe(2);
    expect(queryPaths(stored, { from: node(0), isGoal: (id) => id === node(3) })).toEqual([]);
    expect(queryPaths(full, { from: node(0), isGoal: (id) => id === node(3) })).toHaveLength(1);
    expect(storedGraph(stored)).toBe(stored);
  });
});
