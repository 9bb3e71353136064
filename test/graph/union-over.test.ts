// graph reach `unionOver` (session 39): per node, the union of a per-node set over everything it
// reaches at a strength, itself included — lazy, one answer per component of the condensation.
// What `widen.beyond` (type-wide grants behind a hub) and the reach summary read. Checked against
// a plain walk (`reachable`) on generated accounts, both strengths, asked in random order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import type { GraphNodeInternal } from '../../src/graph/build.js';
import { snapshot } from './accounts.js';
import { accountArb, otherArb } from './arbitraries.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());
const graphOf = (snaps: ReturnType<typeof snapshot>[]) =>
  analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW });

describe('reach.unionOver', () => {
  it('equals the union over the node and every principal a walk reaches (generated accounts, both strengths, any asking order)', () => {
    let nonEmpty = 0, throughOthers = 0;
    fc.assert(
      fc.property(accountArb, otherArb, fc.integer({ min: 0, max: 1_000_000 }), (spec, other, seed) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const g = graphOf(snaps);
        // Each principal node's own set: one id of its own, and none for every third (most contribute none).
        const own = (n: GraphNodeInternal) => ((n.kind === 'user' || n.kind === 'role') && n.index % 3 !== 0 ? ActionSet.of(expander.size, [n.index % expander.size]) : undefined);
        const principals = snaps.flatMap((s) => s.principals).map((p) => g.node(p.arn)!).filter(Boolean);
        // Asked in a shuffled order: a component's answer must not depend on which was asked first.
        const order = [...principals].sort((a, b) => ((a.index * 7919 + seed) % 101) - ((b.index * 7919 + seed) % 101));
        for (const strength of ['proven', 'possible'] as const) {
          const union = g.reach.unionOver(strength, own);
          for (const n of order) {
            const want = new Set<number>();
            for (const x of [n, ...g.reachable(n.id, strength)]) for (const id of own(x)?.toArray() ?? []) want.add(id);
            const got = union(n.index);
            expect(got?.toArray() ?? []).toEqual([...want].sort((a, b) => a - b));
            if (want.size > 0) nonEmpty++;
            if ([...want].some((id) => !own(n)?.has(id))) throughOthers++;
          }
        }
      }),
      { numRuns: 60, seed: 20261207 },
    );
    expect(nonEmpty).toBeGreaterThan(0);
    // Some answers came from principals reached, not the node itself.
    expect(throughOthers).toBeGreaterThan(0);
  }, 120_000);

  it('an answer is read-only shared: asking again gives the same object, and a union of one set is that set', () => {
    const g = graphOf([snapshot({ roles: [{ name: 'solo', trust: { Version: '2012-10-17', Statement: [] } }] })]);
    const set = ActionSet.of(expander.size, [5]);
    const n = g.node('arn:aws:iam::111111111111:role/solo')!;
    const union = g.reach.unionOver('possible', (x) => (x === n ? set : undefined));
    expect(union(n.index)).toBe(set);
    expect(union(n.index)).toBe(union(n.index));
  });
});
