// escalatingEdges' `widen` (session 37): the tiers compare action sets, so an edge whose far side
// holds on every resource an action the caller holds only on named ones gains nothing by `gain`;
// asked with the caller's named-only ids, it gains that tier and says which ids. Without `widen`
// (or with an empty one) every answer is the one `gain` gives, edge for edge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { ActionSet } from '../../src/iam/action-set.js';
import { catalog } from '../../src/iam/catalog.js';
import { heldOnSome, tierSets, widerTier } from '../../src/graph/power.js';
import { POWER_TIERS } from '../../src/model/graph.js';
import { DEV, allow, arn, doc, snapshot, trust } from './accounts.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());
const size = expander.size;
const id = (action: string) => expander.catalog.lookup(action)!.id;
const graphOf = (snaps: ReturnType<typeof snapshot>[]) =>
  analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW });
const table = (name: string) => `arn:aws:dynamodb:us-east-1:${DEV}:table/${name}`;

function world(own: unknown[], deploy: unknown[]) {
  return graphOf([snapshot({
    users: [{ name: 'dev', inline: [doc(allow('sts:AssumeRole', arn(DEV, 'role', 'deploy')), ...own)] }],
    roles: [{ name: 'deploy', trust: trust({ AWS: DEV }), inline: [doc(...deploy)] }],
  })]);
}
const DEV_USER = arn(DEV, 'user', 'dev');

describe('widerTier', () => {
  const t = tierSets(expander);
  const pick = [t.iamWrite, t.destructive, t.credentialAccess].map((s) => s.toArray().slice(0, 30));
  const idsArb = fc.array(fc.oneof(...pick.map((ids) => fc.constantFrom(...ids)), fc.integer({ min: 0, max: size - 1 })), { maxLength: 30 });
  it('is the first ranked tier in which the wide set covers a held id, and nothing without one', () => {
    let found = 0;
    fc.assert(fc.property(idsArb, idsArb, (held, wide) => {
      const h = heldOnSome(ActionSet.of(size, held), expander);
      const w = ActionSet.of(size, wide);
      const tier = widerTier(h, w);
      const hits = (['iam-write', 'destructive', 'credential-access'] as const).filter((k, i) => [h.iamWrite, h.destructive, h.credentialAccess][i]!.intersectionCount(w) > 0);
      expect(tier).toBe(hits[0]);
      if (tier) found++;
      // Adding a wide id never lowers it (tiers by POWER_TIERS order; undefined last).
      const more = widerTier(h, ActionSet.of(size, [...wide, ...held.slice(0, 1)]));
      const rank = (x: string | undefined) => (x === undefined ? POWER_TIERS.length : POWER_TIERS.indexOf(x as never));
      expect(rank(more)).toBeLessThanOrEqual(rank(tier));
    }), { numRuns: 200 });
    expect(found).toBeGreaterThan(0);
  });
});

describe('escalatingEdges with `widen`', () => {
  it('a role holding on `*` what the caller holds only on named tables: the edge, destructive, with the id', () => {
    const g = world([allow('dynamodb:DeleteTable', table('kiro-*'))], [allow('dynamodb:DeleteTable')]);
    expect(g.escalatingEdges(DEV_USER, 'sts-assume-permissive-role')).toEqual([]);
    const held = ActionSet.of(size, [id('dynamodb:DeleteTable')]);
    const [x, ...rest] = g.escalatingEdges(DEV_USER, 'sts-assume-permissive-role', { ids: held });
    expect(rest).toEqual([]);
    expect(x!.adds).toBe('destructive');
    expect(x!.widened).toEqual([id('dynamodb:DeleteTable')]);
  });

  it('controls: the role holds it on named tables only, or the caller is not said to hold it on named ones only', () => {
    const held = ActionSet.of(size, [id('dynamodb:DeleteTable')]);
    expect(world([allow('dynamodb:DeleteTable', table('kiro-*'))], [allow('dynamodb:DeleteTable', table('ops-*'))]).escalatingEdges(DEV_USER, 'sts-assume-permissive-role', { ids: held })).toEqual([]);
    expect(world([allow('dynamodb:DeleteTable', table('kiro-*'))], [allow('dynamodb:DeleteTable')]).escalatingEdges(DEV_USER, 'sts-assume-permissive-role', { ids: ActionSet.of(size, []) })).toEqual([]);
  });

  it('`at` adds what the edge\'s own target holds type-wide; it is asked only of principals', () => {
    const g = world([allow('dynamodb:DeleteTable', table('kiro-*'))], [allow('dynamodb:DeleteTable', table('*'))]);
    const held = ActionSet.of(size, [id('dynamodb:DeleteTable')]);
    const asked: string[] = [];
    const found = g.escalatingEdges(DEV_USER, 'sts-assume-permissive-role', { ids: held, at: (n) => { asked.push(n.kind); return held; } });
    expect(found.map((x) => [x.adds, x.widened])).toEqual([['destructive', [id('dynamodb:DeleteTable')]]]);
    expect(asked.every((k) => k === 'role')).toBe(true);
    expect(g.escalatingEdges(DEV_USER, 'sts-assume-permissive-role', { ids: held, at: () => undefined })).toEqual([]);
  });

  // With an empty `widen`, every answer is the one without: checked on generated accounts beside
  // escalatingEdges' own property (escalating-edges.test.ts), in the same walk.
});
