// The blast radius walks each principal's reach over the graph in compact form (src/resources/walk.ts):
// on synthetic accounts (role chains, trusts of the account, of anyone, of services; several
// seeds), the walk visits exactly the nodes graph.reachable lists, in the same order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSnapshots, collectSnapshot } from '../../src/pipeline/scan.js';
import { walker } from '../../src/resources/walk.js';
import { syntheticAccount } from '../../bench/synthetic-account.js';

const NOW = new Date('2026-11-24T00:00:00Z');

describe('the compact reach walk', () => {
  it.each([1, 5, 9])('seed %i: same nodes, same order as graph.reachable, for every principal (twice: stamps reset)', async (seed) => {
    const file = join(mkdtempSync(join(tmpdir(), 'leash-walk-')), 'account.json');
    writeFileSync(file, JSON.stringify(syntheticAccount(150, {}, seed)));
    const c = await collectSnapshot({ input: file });
    const [a] = analyzeSnapshots([c.snapshot], c.config, { scanId: 't', startedAt: NOW.toISOString(), now: NOW, fixes: false });
    const g = a!.graph;
    const w = walker(g.built);
    let nonTrivial = 0;
    for (const round of [0, 1]) for (const p of c.snapshot.principals) {
      const got: number[] = [];
      w.reachable(g.built.byId.get(p.arn)!, (i) => got.push(i));
      const want = g.reachable(p.arn, 'possible').map((n) => n.index);
      expect(got, `${p.arn} round ${round}`).toEqual(want);
      if (round === 0 && want.length > 1) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(10);
  }, 60_000);
});
