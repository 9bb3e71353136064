// Which hops report.json keeps (src/graph/stored-hops.ts), against the definition: for each goal
// group (each goal alone, past 63 the rest together), a plain breadth-first search backward over
// the hops — strict ones, then all — and a hop kept when its source is one step farther from the
// group than its target; plus every hop that crosses accounts. The bit-parallel search must keep
// exactly those.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { storedHopMarks, type HopEnds } from '../../src/graph/stored-hops.js';
import type { GraphSummary } from '../../src/model/graph.js';

/** Distances to the goals over the hops `use` admits: a Map, not the typed arrays under test. */
function distances(hops: readonly HopEnds[], goals: readonly string[], use: (h: HopEnds) => boolean): Map<string, number> {
  const into = new Map<string, HopEnds[]>();
  for (const h of hops) if (use(h)) into.set(h.to, [...(into.get(h.to) ?? []), h]);
  const dist = new Map<string, number>();
  const touched = new Set(hops.flatMap((h) => [h.from, h.to]));
  let frontier = goals.filter((g) => touched.has(g));
  for (const g of frontier) dist.set(g, 0);
  for (let d = 0; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const v of frontier) for (const h of into.get(v) ?? []) if (!dist.has(h.from)) { dist.set(h.from, d + 1); next.push(h.from); }
    frontier = next;
  }
  return dist;
}

function reference(hops: readonly HopEnds[], goals: readonly string[]): boolean[] {
  const groups = goals.length <= 64 ? goals.map((g) => [g]) : [...goals.slice(0, 63).map((g) => [g]), goals.slice(63)];
  const keep = hops.map(() => false);
  const strict = (h: HopEnds) => h.condition === 'none' && h.target === 'proven';
  for (const group of groups) {
    for (const use of [strict, () => true]) {
      const dist = distances(hops, group, use);
      hops.forEach((h, k) => {
        const dv = dist.get(h.to), du = dist.get(h.from);
        if (use(h) && dv !== undefined && du === dv + 1) keep[k] = true;
      });
    }
  }
  const acct = (id: string) => /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(id)?.[1];
  hops.forEach((h, k) => {
    const a = acct(h.from), b = acct(h.to);
    if (a !== undefined && b !== undefined && a !== b) keep[k] = true;
  });
  return keep;
}

const node = (i: number) => `arn:aws:iam::${i % 3 === 0 ? '222222222222' : '111111111111'}:role/r${i}`;
const same = (i: number) => `arn:aws:iam::111111111111:role/s${i}`;
const reachOf = (ends: readonly string[]): GraphSummary['reach'] => ends.map((to) => ({ path: { to } })) as unknown as GraphSummary['reach'];

const hopArb = (nodes: number) =>
  fc.record({
    from: fc.integer({ min: 0, max: nodes - 1 }).map(node),
    to: fc.integer({ min: 0, max: nodes - 1 }).map(node),
    condition: fc.constantFrom('none', 'approval', 'unknown') as fc.Arbitrary<HopEnds['condition']>,
    target: fc.constantFrom('proven', 'inferred') as fc.Arbitrary<HopEnds['target']>,
  });

describe('storedHopMarks: the hops on a shortest path to each goal', () => {
  it('keeps exactly what one search per goal group keeps (random graphs, up to 100 goals)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 120 }).chain((nodes) =>
          fc.tuple(fc.array(hopArb(nodes), { maxLength: 400 }), fc.uniqueArray(fc.integer({ min: 0, max: nodes + 5 }).map(node), { maxLength: 100 }), fc.integer({ min: 0, max: 100 })),
        ),
        ([hops, goals, split]) => {
          // Goals come from both lists, as admins and as reach ends (an end named twice counts once).
          const admins = goals.slice(0, split);
          const ends = [...goals.slice(split), ...goals.slice(0, 2)];
          const marks = storedHopMarks(hops, admins, reachOf(ends));
          const want = reference(hops, [...new Set([...admins, ...ends])]);
          expect([...marks].map((x) => x === 1)).toEqual(want);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('a chain to one administrator: the short way is kept, the detour and the way back are not', () => {
    const [a, b, c, admin] = [node(1), node(2), node(4), node(5)];
    const hops: HopEnds[] = [
      { from: a, to: admin, condition: 'none', target: 'proven' },
      { from: a, to: b, condition: 'none', target: 'proven' },
      { from: b, to: c, condition: 'none', target: 'proven' },
      { from: c, to: admin, condition: 'none', target: 'proven' },
      { from: admin, to: a, condition: 'none', target: 'proven' },
    ];
    expect([...storedHopMarks(hops, [admin], [])]).toEqual([1, 0, 1, 1, 0]);
    // Control: with no goal, nothing in one account is kept.
    expect([...storedHopMarks(hops, [], [])]).toEqual([0, 0, 0, 0, 0]);
  });

  it('a conditional shortcut keeps the longer strict way too; past 64 goals the rest share one search', () => {
    const [a, b, admin] = [node(1), node(2), node(4)];
    const hops: HopEnds[] = [
      { from: a, to: admin, condition: 'approval', target: 'proven' },
      { from: a, to: b, condition: 'none', target: 'proven' },
      { from: b, to: admin, condition: 'none', target: 'proven' },
    ];
    expect([...storedHopMarks(hops, [admin], [])]).toEqual([1, 1, 1]);
    // 70 goals: the 64th and later share a search (nearest of them), so a hop that is only on a
    // shortest path to a farther one of those is left out, as the definition says.
    const far = Array.from({ length: 70 }, (_, i) => same(100 + i));
    const chain: HopEnds[] = [
      { from: same(10), to: far[69]!, condition: 'none', target: 'proven' },
      { from: same(11), to: same(10), condition: 'none', target: 'proven' },
      { from: same(11), to: far[68]!, condition: 'none', target: 'proven' },
    ];
    const marks = storedHopMarks(chain, far, []);
    expect([...marks].map((x) => x === 1)).toEqual(reference(chain, far));
    expect([...marks]).toEqual([1, 0, 1]);
  });
});
