// escalatingEdges gives each edge's target node with it (the escalation check labels thousands
// per hub caller at 50,000 principals): it must be the node the edge's `to` names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { ADMIN, DEV, allow, arn, doc, snapshot, trust } from './accounts.js';
import { accountArb, otherArb } from './arbitraries.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());
const graphOf = (snaps: ReturnType<typeof snapshot>[]) =>
  analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW });

describe('escalatingEdges', () => {
  it('gives, with each edge, the node its `to` names, and with an empty `widen` the same answer as without (generated accounts, every technique)', () => {
    let edges = 0;
    fc.assert(
      fc.property(accountArb, otherArb, (spec, other) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const g = graphOf(snaps);
        for (const p of snaps.flatMap((s) => s.principals)) {
          const plain = g.escalatingEdges(p.arn, () => true);
          for (const x of plain) {
            edges++;
            expect(x.target).toBe(g.node(x.edge.to));
          }
          expect(g.escalatingEdges(p.arn, () => true, { ids: ActionSet.of(expander.size, []) })).toEqual(plain);
        }
      }),
      { numRuns: 60, seed: 20261206 },
    );
    expect(edges).toBeGreaterThan(0);
  }, 120_000);

  it('names the admin role a user may assume, and nothing for a user that may assume nothing', () => {
    const g = graphOf([snapshot({
      users: [{ name: 'dev', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'admin')))] }, { name: 'reader', inline: [doc(allow('s3:GetObject'))] }],
      roles: [{ name: 'admin', trust: trust({ AWS: `arn:aws:iam::${DEV}:root` }), inline: [ADMIN] }],
    })]);
    const found = g.escalatingEdges(arn(DEV, 'user', 'dev'), 'sts-assume-permissive-role');
    expect(found.map((x) => [x.target.id, x.target.label])).toEqual([[arn(DEV, 'role', 'admin'), g.node(arn(DEV, 'role', 'admin'))!.label]]);
    expect(g.escalatingEdges(arn(DEV, 'user', 'reader'), 'sts-assume-permissive-role')).toEqual([]);
  });
});
