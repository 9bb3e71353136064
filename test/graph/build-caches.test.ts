// The graph build's caches and indexes (per-account lists filtered once rather than once per
// caller, per-caller memos, reach searched over index arrays) are for speed only: on generated
// accounts the fast build must give the very graph the reference build gives (every caller
// worked out from scratch): the same nodes, the same edges in the same order, the same limits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../src/graph/index.js';
import { reachIndex } from '../../src/graph/reach.js';
import { analyzePrincipals } from '../../src/checks/analyze.js';
import { defaultConfig } from '../../src/pipeline/scan.js';
import { ActionExpander } from '../../src/iam/pattern.js';
import { catalog } from '../../src/iam/catalog.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { ADMIN, DEV, allow, arn, deny, doc, snapshot, trust, type AccountSpec } from './accounts.js';
import { accountArb, otherArb } from './arbitraries.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const expander = new ActionExpander(catalog());

function shape(snaps: Snapshot[], reference: boolean, edgeIndexFrom?: number) {
  const g = analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW, reference, ...(edgeIndexFrom !== undefined ? { edgeIndexFrom } : {}) });
  return {
    nodes: g.built.nodes.map((n) => [n.id, n.kind, n.label, n.power.admin]),
    out: g.built.out,
    limits: g.built.limits ?? [],
    gains: snaps.flatMap((snap) => snap.principals.map((p) => [g.gains(p.arn, 'proven'), g.gains(p.arn, 'possible')])),
    // The reach index walks the build's target arrays (the reference build's are looked up by id):
    // every node's reach power, principal count and path to an administrator, at both strengths.
    reach: g.built.nodes.map((_, i) => (['proven', 'possible'] as const).map((st) => {
      const p = g.reach.power(i, st);
      return [p.admin, p.unconditional.toArray(), p.allResources.toArray(), g.reach.principals(i), JSON.stringify(g.reach.pathToAdmin(i, st))];
    })),
  };
}

describe('property: the graph build\'s caches never change the graph', () => {
  it('gives the reference build\'s nodes, edges (in order) and limits on generated accounts', () => {
    fc.assert(
      fc.property(accountArb, otherArb, (spec, other) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        expect(shape(snaps, false)).toEqual(shape(snaps, true));
      }),
      { numRuns: 100, seed: 20261204 },
    );
  }, 180_000);

  it('gives every node the same path to an administrator when asked again, in any order, as a fresh index does', () => {
    fc.assert(
      fc.property(accountArb, otherArb, fc.nat(), (spec, other, seed) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const g = analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW });
        const n = g.built.nodes.length;
        const asks = Array.from({ length: 2 * n }, (_, k) => (k * 7 + seed) % n);
        for (const strength of ['proven', 'possible'] as const) {
          const fresh = reachIndex(g.built);
          const expected = g.built.nodes.map((_, i) => JSON.stringify(fresh.pathToAdmin(i, strength)));
          for (const i of asks) expect(JSON.stringify(g.reach.pathToAdmin(i, strength))).toBe(expected[i]);
        }
      }),
      { numRuns: 100 },
    );
  }, 180_000);

  // Negative controls for the memos (a uniform decision, a sample ARN shared across callers): a
  // caller whose boundary denies everything, named by ARN in a trust policy, and every principal
  // of an account whose SCP denies everything, get no edge, in the fast build as in the reference.
  it('gives no edge to a caller its boundary or the SCPs deny everything (negative control)', () => {
    const WALLED = arn(DEV, 'user', 'walled');
    fc.assert(
      fc.property(accountArb, otherArb, fc.boolean(), fc.boolean(), (spec, other, scpDeniesAll, wall) => {
        // Without the wall (and with the generated SCP) the same user assumes names-walled: the control's twin.
        const reaching = doc(allow(['sts:AssumeRole', 'iam:PassRole', 'iam:CreateAccessKey', 'ec2:RunInstances']));
        const walled: AccountSpec = {
          ...spec,
          users: [...(spec.users ?? []), { name: 'walled', inline: [reaching], ...(wall ? { boundary: 'wall' } : {}) }],
          roles: [...(spec.roles ?? []), { name: 'names-walled', trust: trust({ AWS: WALLED }), inline: [ADMIN] }],
          policies: { ...spec.policies, wall: doc(allow('*'), deny('*')) },
          ...(scpDeniesAll ? { scps: [doc(allow('*'), deny('*'))] } : {}),
        };
        const snaps = [snapshot(walled), ...(other ? [snapshot(other)] : [])];
        for (const reference of [false, true]) {
          const g = analyzeGraph(snaps.map((snap) => ({ snapshot: snap, analyzed: analyzePrincipals(snap, defaultConfig(), expander, NOW) })), { expander, now: NOW, reference });
          const from = (id: string) => g.built.out[g.built.byId.get(id)!]!;
          if (wall || scpDeniesAll) expect(from(WALLED)).toEqual([]);
          else if (!(spec.scps ?? []).length) expect(from(WALLED).some((e) => e.to === arn(DEV, 'role', 'names-walled'))).toBe(true);
          if (scpDeniesAll) for (const n of g.built.nodes) if (n.account === DEV && n.principal && n.kind !== 'hub') expect(g.built.out[n.index]).toEqual([]);
        }
      }),
      { numRuns: 60, seed: 20261205 },
    );
  }, 180_000);

  // Generated out-lists stay short of the default threshold (32): index every list, so that the
  // index's way of finding a repeated (target, technique) is the one compared with the scan.
  it('finds repeated edges through the per-node index as the reference build does by scanning', () => {
    fc.assert(
      fc.property(accountArb, otherArb, (spec, other) => {
        const snaps = [snapshot(spec), ...(other ? [snapshot(other)] : [])];
        const indexed = shape(snaps, false, 0);
        expect(indexed).toEqual(shape(snaps, true));
        for (const list of indexed.out) expect(new Set(list.map((e) => `${e.to}\u0000${e.technique}`)).size).toBe(list.length);
      }),
      { numRuns: 150 },
    );
  }, 180_000);
});
